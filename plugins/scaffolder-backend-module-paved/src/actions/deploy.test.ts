import { testAuth } from '@paved/plugin-provisioning-node/testDoubles';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createDeployAction } from './deploy';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './deploy.examples';

/**
 * The deployments API's side of the contract this action relies on (POST
 * /deployments, GET /deployments/:id), served on loopback; the whole path
 * against the real API runs in createService.platform.test.ts.
 */
async function deploymentsApi(
  outcomes: Array<Record<string, unknown>>,
  onPost?: (body: any, headers: http.IncomingHttpHeaders) => void,
) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/deployments/deployments') {
        const parsed = JSON.parse(body);
        onPost?.(parsed, req.headers);
        if (parsed.environment === 'production') {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              error: {
                name: 'InputError',
                message:
                  'environment: production requires an approval, so it is not deployed to directly',
              },
              request: { method: 'POST', url: req.url },
              response: { statusCode: 400 },
            }),
          );
          return;
        }
        res.statusCode = 202;
        res.end(JSON.stringify({ id: 'd-1', status: 'rolling-out' }));
        return;
      }
      if (req.url === '/api/deployments/deployments/d-1') {
        res.end(JSON.stringify(outcomes.shift() ?? { status: 'rolling-out' }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const discovery = {
    getBaseUrl: jest.fn(
      async (id: string) => `http://127.0.0.1:${port}/api/${id}`,
    ),
    getExternalBaseUrl: jest.fn(),
  };
  return { server, discovery };
}

const action = (discovery: any) =>
  createDeployAction({
    discovery,
    auth: testAuth('scaffolder'),
    pollIntervalMs: 5,
  });

describe('paved:deployment:deploy', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('deploys as the user running the template and follows the rollout to its end', async () => {
    const posted: any[] = [];
    const { server, discovery } = await deploymentsApi(
      [
        { id: 'd-1', status: 'rolling-out' },
        {
          id: 'd-1',
          status: 'succeeded',
          message: 'Rolled out: 1 of 1 replicas available',
        },
      ],
      (body, headers) => posted.push({ body, auth: headers.authorization }),
    );
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'orders-api',
        environment: 'staging',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    await action(discovery).handler(context);
    expect(posted).toEqual([
      {
        body: {
          entityRef: 'component:default/orders-api',
          environment: 'staging',
          image: 'registry.paved.local/orders-api:abc123',
        },
        auth: expect.stringMatching(/^Bearer /),
      },
    ]);
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'd-1');
  });

  it("fails with the rollout's reason and logs the container's last lines", async () => {
    const { server, discovery } = await deploymentsApi([
      {
        id: 'd-1',
        status: 'failed',
        failureReason: 'CrashLoop',
        message: 'Container orders-api keeps crashing',
        logTail: 'Error: PORT must be a port number',
      },
    ]);
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'component:default/orders-api',
        environment: 'staging',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    const logged = jest.spyOn(context.logger, 'error');
    await expect(action(discovery).handler(context)).rejects.toThrow(
      'Deploying registry.paved.local/orders-api:abc123 to staging failed (CrashLoop): Container orders-api keeps crashing',
    );
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('PORT must be a port number'),
    );
  });

  it("passes the API's refusal on, by its words", async () => {
    const { server, discovery } = await deploymentsApi([]);
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'component:default/orders-api',
        environment: 'production',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    await expect(action(discovery).handler(context)).rejects.toMatchObject({
      name: 'ResponseError',
      body: { error: { name: 'InputError' } },
    });
  });

  it('does nothing in a dry run', async () => {
    const discovery = { getBaseUrl: jest.fn(), getExternalBaseUrl: jest.fn() };
    const context = {
      ...mockActionContext({
        input: {
          entityRef: 'component:default/orders-api',
          environment: 'staging',
          image: 'registry.paved.local/orders-api:abc123',
        },
      }),
      isDryRun: true,
    };
    await action(discovery).handler(context);
    expect(discovery.getBaseUrl).not.toHaveBeenCalled();
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'dry-run');
  });

  it.each(
    // The template expressions stand for what an earlier step gives.
    exampleInputs(examples, 'paved:deployment:deploy', {
      'parameters.name': 'orders-api',
      "steps['build'].output.image": 'registry.paved.local/orders-api:abc123',
    }),
  )('runs its example: %s', async (_description, input) => {
    const { server, discovery } = await deploymentsApi([
      { id: 'd-1', status: 'succeeded', message: 'Rolled out' },
    ]);
    close = () => server.close();
    const context = mockActionContext({ input: input as any });
    await action(discovery).handler(context);
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'd-1');
  });
});

describe('paved:deployment:deploy run again (a task recovered or retried)', () => {
  const image = 'registry.paved.local/orders-api:abc123';
  const servers: http.Server[] = [];
  afterEach(() => servers.splice(0).forEach(server => server.close()));

  /** The API with deployments by id; POST answers `post()` (a 202 of d-new, or a 409). */
  async function api(
    deployments: Record<string, Record<string, unknown>>,
    post: () => { status: number; body: unknown },
    listed: unknown[] = Object.values(deployments),
  ) {
    const posts: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        const url = req.url ?? '';
        if (req.method === 'POST' && url === '/api/deployments/deployments') {
          posts.push(JSON.parse(body));
          const answer = post();
          res.statusCode = answer.status;
          res.end(JSON.stringify(answer.body));
          return;
        }
        const one = url.match(/^\/api\/deployments\/deployments\/([\w-]+)$/);
        if (one && deployments[one[1]]) {
          res.end(JSON.stringify(deployments[one[1]]));
          return;
        }
        if (
          url.startsWith(
            '/api/deployments/entities/component/default/orders-api/deployments?',
          )
        ) {
          res.end(JSON.stringify({ items: listed }));
          return;
        }
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    const discovery = {
      getBaseUrl: jest.fn(
        async (id: string) => `http://127.0.0.1:${port}/api/${id}`,
      ),
      getExternalBaseUrl: jest.fn(),
    };
    return { discovery, posts };
  }
  const context = (checkpoints: Record<string, unknown>) => {
    const ctx = mockActionContext({
      input: { entityRef: 'orders-api', environment: 'staging', image },
    });
    // As the scaffolder with taskRecovery: a key done before returns its value, fn unrun.
    ctx.checkpoint = (async ({ key, fn }: { key: string; fn: () => any }) =>
      key in checkpoints ? checkpoints[key] : fn()) as any;
    return ctx;
  };
  const accepted = () => ({
    status: 202,
    body: { id: 'd-new', status: 'rolling-out' },
  });

  it('follows the deployment it started before a restart instead of starting another', async () => {
    const { discovery, posts } = await api(
      {
        'd-1': { id: 'd-1', image, status: 'succeeded', message: 'Rolled out' },
      },
      accepted,
    );
    const ctx = context({ 'deployment-staging': { id: 'd-1' } });
    await action(discovery).handler(ctx);
    expect(posts).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'd-1');
  });

  it('deploys again when retried after the deployment it started failed', async () => {
    const { discovery, posts } = await api(
      {
        'd-1': { id: 'd-1', image, status: 'failed', message: 'API gone' },
        'd-new': { id: 'd-new', image, status: 'succeeded', message: 'ok' },
      },
      accepted,
    );
    const ctx = context({ 'deployment-staging': { id: 'd-1' } });
    await action(discovery).handler(ctx);
    expect(posts).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'd-new');
  });

  it('follows the same image already rolling out when the deploy lock is taken', async () => {
    const inProgress = () => ({
      status: 409,
      body: {
        error: { name: 'DeploymentInProgressError', message: 'in progress' },
        response: { statusCode: 409 },
      },
    });
    // The POST reached the API before a restart, its checkpoint did not: the lock is taken.
    const { discovery } = await api(
      { 'd-7': { id: 'd-7', image, status: 'succeeded', message: 'ok' } },
      inProgress,
      [{ id: 'd-7', image, status: 'rolling-out' }],
    );
    const ctx = context({});
    await action(discovery).handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'd-7');

    // Another image rolling out is someone else's deploy: the 409 stands.
    const other = await api({}, inProgress, [
      { id: 'd-8', image: `${image}-other`, status: 'rolling-out' },
    ]);
    await expect(
      action(other.discovery).handler(context({})),
    ).rejects.toMatchObject({
      body: { error: { name: 'DeploymentInProgressError' } },
    });
  });

  it('says to retry when the deployments API is out of reach', async () => {
    const { discovery } = await api({}, () => ({
      status: 503,
      body: {
        error: {
          name: 'ServiceUnavailableError',
          message: 'Kubernetes is down',
        },
        response: { statusCode: 503 },
      },
    }));
    await expect(action(discovery).handler(context({}))).rejects.toThrow(
      /Once it is back, Retry this run/,
    );
  });
});
