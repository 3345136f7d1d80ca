/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import { DeploymentsClient } from './DeploymentsClient';

function clientAnswering(status: number, body: unknown) {
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
  );
  const client = new DeploymentsClient({
    discoveryApi: {
      getBaseUrl: async (id: string) => `http://backend/api/${id}`,
    },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

describe('DeploymentsClient', () => {
  it('posts a deploy as JSON', async () => {
    const { client, fetch } = clientAnswering(202, { id: 'd-1' });
    await expect(
      client.deploy({
        entityRef: 'component:default/orders-api',
        environment: 'staging',
        image: 'registry.paved.local/orders-api:1.0.0',
      }),
    ).resolves.toEqual({ id: 'd-1' });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('http://backend/api/deployments/deployments');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({
      entityRef: 'component:default/orders-api',
      environment: 'staging',
      image: 'registry.paved.local/orders-api:1.0.0',
    });
  });

  it('builds entity paths and queries', async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    await client.listDeployments('Component:default/orders-api', {
      environment: 'staging',
      limit: 10,
      cursor: '42',
    });
    await client.listApprovals('component:default/orders-api', {
      status: 'pending',
    });
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backend/api/deployments/entities/component/default/orders-api/deployments?environment=staging&limit=10&cursor=42',
      'http://backend/api/deployments/entities/component/default/orders-api/approvals?status=pending',
    ]);
  });

  it("calls an environment's secrets routes, with the body as given", async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    const ref = 'component:default/orders-api';
    await client.listSecrets(ref, 'pre prod');
    await client.changeSecrets(ref, 'staging', {
      set: { API_TOKEN: 't' },
      dryRun: true,
    });
    await client.rollbackSecrets(ref, 'staging', { toVersion: 2 });
    await client.rotateSecrets(ref, 'staging', { keys: ['DATABASE_PASSWORD'] });
    const base =
      'http://backend/api/deployments/entities/component/default/orders-api/environments';
    expect(fetch.mock.calls.map(c => `${c[1]?.method} ${c[0]}`)).toEqual([
      `GET ${base}/pre%20prod/secrets`,
      `POST ${base}/staging/secrets`,
      `POST ${base}/staging/secrets/rollback`,
      `POST ${base}/staging/secrets/rotate`,
    ]);
    expect(
      fetch.mock.calls.slice(1).map(c => JSON.parse(String(c[1]?.body))),
    ).toEqual([
      { set: { API_TOKEN: 't' }, dryRun: true },
      { toVersion: 2 },
      { keys: ['DATABASE_PASSWORD'] },
    ]);
  });

  it('reads builds and streams their logs', async () => {
    const { client, fetch } = clientAnswering(200, { items: [] });
    await client.listBuilds('component:default/orders-api', {
      status: 'succeeded',
      limit: 20,
      cursor: '7',
    });
    await client.getBuild('b 1');
    await client.getBuildLog('b-1', 120);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backend/api/deployments/entities/component/default/orders-api/builds?limit=20&cursor=7&status=succeeded',
      'http://backend/api/deployments/builds/b%201',
      'http://backend/api/deployments/builds/b-1/log?offset=120',
    ]);
  });

  it('reads the insights with their query', async () => {
    const { client, fetch } = clientAnswering(200, { groups: [] });
    await client.getDoraInsights({
      window: 30,
      entityRef: 'component:default/orders-api',
    });
    await client.getAdoptionInsights({ window: 90 });
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backend/api/deployments/insights/dora?window=30&entityRef=component%3Adefault%2Forders-api',
      'http://backend/api/deployments/insights/adoption?window=90',
    ]);
  });

  it("throws a ResponseError with the backend's message", async () => {
    const { client } = clientAnswering(409, {
      error: { name: 'ConflictError', message: 'already under way' },
      response: { statusCode: 409 },
    });
    const error = await client.getDeployment('d-1').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe('already under way');
  });
});
