import { Request } from 'express';
import { spec } from './openapi/generated/router';
import { validateRequests } from './validation';

const validate = validateRequests(spec as any);

/** Runs the middleware on a request; the request as handlers get it, or the 400's message. */
function run(method: string, path: string, query: object, body?: unknown) {
  const req = { method, path, query, body } as unknown as Request;
  try {
    let passed = false;
    validate(req, {} as any, () => {
      passed = true;
    });
    expect(passed).toBe(true);
    return { query: req.query, body: req.body };
  } catch (error: any) {
    expect(error.name).toBe('InputError');
    return { message: error.message as string };
  }
}

const deploy = {
  entityRef: 'component:default/orders',
  environment: 'staging',
  image: 'registry.paved.local/orders:1.0.0',
};

describe('validateRequests (openapi.yaml)', () => {
  it('passes a valid request, its query numbers as numbers', () => {
    expect(run('POST', '/deployments', {}, deploy)).toEqual({
      query: {},
      body: deploy,
    });
    expect(
      run('GET', '/entities/component/default/orders/builds', {
        limit: '5',
        status: 'failed',
      }),
    ).toEqual({ query: { limit: 5, status: 'failed' }, body: undefined });
  });

  it('names every wrong field of a body and what to send', () => {
    expect(
      run(
        'POST',
        '/deployments',
        {},
        { environment: '', image: 'x', replicas: 'two', replica: 2 },
      ).message,
    ).toBe(
      [
        'entityRef: Required',
        'replica: unknown field; the fields are entityRef, environment, image, replicas',
        'environment: must not be empty',
        'replicas: must be a whole number',
      ].join('; '),
    );
    expect(
      run(
        'POST',
        '/builds',
        {},
        {
          entityRef: 'component:default/orders',
          commit: { message: 'x' },
          status: 'done',
        },
      ).message,
    ).toBe(
      'commit.sha: Required: the SHA of the commit built (git rev-parse HEAD); ' +
        'status: unknown status "done"; send one of running, succeeded, failed',
    );
  });

  it('counts null as absent, as CIs send it', () => {
    expect(
      run(
        'PATCH',
        '/builds/b-1',
        {},
        { status: 'failed', image: null, message: 'no Dockerfile' },
      ),
    ).toEqual({
      query: {},
      body: { status: 'failed', message: 'no Dockerfile' },
    });
    expect(run('PATCH', '/builds/b-1', {}, { status: null }).message).toBe(
      'status: Required',
    );
  });

  it('refuses a query it does not know, or out of range', () => {
    expect(
      run('GET', '/entities/component/default/orders/deployments', {
        after: '42',
        limit: '0',
      }).message,
    ).toBe(
      'after: unknown query parameter; send environment, limit, cursor; ' +
        'limit: must be a whole number from 1 to 100',
    );
    expect(
      run('GET', '/entities/component/default/orders/approvals', {
        status: 'maybe',
      }).message,
    ).toBe(
      'status: unknown status "maybe"; send one of pending, approved, rejected',
    );
  });

  it('refuses a missing required query parameter and a number outside its set', () => {
    expect(run('GET', '/insights/dora', {}).message).toBe(
      'window: Required; send one of 7, 30, 90',
    );
    expect(run('GET', '/insights/dora', { window: '14' }).message).toBe(
      'window: 14 is not allowed; send one of 7, 30, 90',
    );
    expect(
      run('GET', '/insights/dora', { window: '30', groupBy: 'planet' }).message,
    ).toBe(
      'groupBy: unknown groupBy "planet"; send one of organisation, team, system, service',
    );
    expect(run('GET', '/insights/dora', { window: '90' }).query).toEqual({
      window: 90,
    });
  });

  it('leaves patterns to the services, whose messages name the fix', () => {
    expect(
      run(
        'POST',
        '/builds',
        {},
        {
          entityRef: 'orders',
          commit: { sha: 'not-a-sha' },
          status: 'running',
        },
      ),
    ).toHaveProperty('body.commit.sha', 'not-a-sha');
  });
  it('names the wrong fields of a rating (POST /feedback)', () => {
    const { message } = run(
      'POST',
      '/feedback',
      {},
      {
        rating: 6,
        category: 'deploy',
        comment: 'x'.repeat(2001),
        context: {
          page: '/',
          action: 'merge',
          entityRef: 'component:default/a',
        },
      },
    );
    expect(message).toMatch(/rating/);
    expect(message).toMatch(/comment/);
    expect(message).toMatch(/context\.action|action/);
    expect(run('GET', '/feedback', { window: '14' }).message).toMatch(/window/);
  });

  it("names the missing label of Alertmanager's webhook (ReceiveAlerts)", () => {
    const body = {
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'AvailabilityBudgetBurnFast', namespace: 'x' },
          startsAt: '2026-03-01T10:00:00Z',
          fingerprint: 'abc',
        },
      ],
    };
    expect(run('POST', '/alerts/alertmanager', {}, body).message).toBe(
      'alerts.0.labels.service: Required',
    );
  });
});
