import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { LogLine } from '@paved/plugin-deployments-common';
import { DefaultKubernetesClient } from '@paved/plugin-provisioning-node';
import {
  createPlatformSandbox,
  kubernetesConfigFor,
  PlatformSandbox,
} from '@paved/plugin-provisioning-node/testUtils';
import { deploymentsPlugin } from './plugin';
import { OpenApiValidator } from './schema/__testUtils__/openApiValidator';

// The logs API against a real pod on the local platform's node: the
// service's Deployment prints a line a second; the backend reads it through
// the environment's cluster with the real auth backend's user token.

jest.setTimeout(180_000);

const FIXTURE = 'registry.paved.local/paved/fixture-http:ok';
const TICKER = [
  '/bin/sh',
  '-c',
  'echo started; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done',
];

describe('logs API', () => {
  let sandbox: PlatformSandbox;
  let root: string;
  let token: string;
  let stop: () => Promise<void>;
  const openApi = new OpenApiValidator();
  const base = '/entities/component/default/orders/environments/staging';

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    const kubernetes = new DefaultKubernetesClient(sandbox.kubeConfig);
    const labels = { app: 'orders' };
    await kubernetes.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'orders', namespace: sandbox.namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [{ name: 'orders', image: FIXTURE, command: TICKER }],
            },
          },
        },
      } as any,
      // Not the service's: same namespace, other labels.
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'stranger', namespace: sandbox.namespace },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'stranger', image: FIXTURE, command: TICKER }],
        },
      } as any,
    ]);
    await kubernetes.waitForRollout(sandbox.namespace, 'orders', {
      timeoutMs: 120_000,
    });

    const orders: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'orders',
        namespace: 'default',
        annotations: {
          'backstage.io/kubernetes-id': 'orders',
          'paved.dev/kubernetes-namespace-staging': sandbox.namespace,
        },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'team' },
    };
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        authPlugin,
        guestProvider,
        authServiceFactory,
        httpAuthServiceFactory,
        mockServices.permissions.factory(),
        catalogServiceMock.factory({ entities: [orders] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
            auth: {
              providers: {
                guest: { dangerouslyAllowOutsideDevelopment: true },
              },
            },
            kubernetes: kubernetesConfigFor({ local: sandbox.kubeConfig }),
            paved: {
              platform: { vault: sandbox.platform.vault },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                  requiresApproval: false,
                },
              ],
            },
          },
        }),
      ],
    });
    stop = () => backend.stop();
    root = `http://localhost:${backend.server.port()}/api`;
    const session = await fetch(`${root}/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    token = (await session.json()).backstageIdentity?.token;
    if (typeof token !== 'string') {
      throw new Error(`no guest token: ${session.status}`);
    }
  });

  afterAll(async () => {
    await stop?.();
    await sandbox?.cleanup();
  });

  const get = (route: string, signal?: AbortSignal, auth = true) =>
    fetch(`${root}/deployments${route}`, {
      headers: auth ? { Authorization: `Bearer ${token}` } : {},
      signal,
    });

  const lines = (text: string): LogLine[] =>
    text
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));

  it('lists the service pods and reads their lines as NDJSON', async () => {
    const pods = await get(`${base}/pods`);
    expect(pods.status).toBe(200);
    const { items } = await pods.json();
    openApi.validateResponse('GET', `${base}/pods`, 200, { items });
    expect(items).toEqual([
      expect.objectContaining({ containers: ['orders'], phase: 'Running' }),
    ]);
    const pod = items[0].name;

    // Wait for a few ticks, then ask for the last two lines only.
    await new Promise(resolve => setTimeout(resolve, 3000));
    const tail = await get(`${base}/logs?tailLines=2`);
    expect(tail.status).toBe(200);
    expect(tail.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const tailLines = lines(await tail.text());
    expect(tailLines).toHaveLength(2);
    for (const line of tailLines) {
      expect(line).toEqual({
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        pod,
        container: 'orders',
        text: expect.stringMatching(/^tick \d+$/),
      });
    }

    const all = lines(
      await (await get(`${base}/logs?since=1h&pod=${pod}`)).text(),
    );
    expect(all[0].text).toBe('started');
    expect(all.length).toBeGreaterThan(2);
  });

  it('follows: new lines arrive while the answer stays open, until the client goes', async () => {
    const stopper = new AbortController();
    const response = await get(
      `${base}/logs?tailLines=1&follow=true`,
      stopper.signal,
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const started = Date.now();
    while (lines(text).length < 4) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended after: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    const ticks = lines(text)
      .slice(0, 4)
      .map(l => Number(l.text.replace('tick ', '')));
    // Three new lines after the last one, a second apart, on one answer.
    expect(ticks[3] - ticks[0]).toBe(3);
    expect(Date.now() - started).toBeGreaterThan(1500);
    stopper.abort();
  });

  it('refuses what is not the service, naming the field', async () => {
    const stranger = await get(`${base}/logs?pod=stranger`);
    expect(stranger.status).toBe(404);
    const body = await stranger.json();
    openApi.validateResponse('GET', `${base}/logs`, 404, body);
    expect(body.error.name).toBe('NotFoundError');
    expect(body.error.message).toMatch(
      /^pod: stranger is not a pod of component:default\/orders/,
    );

    const container = await get(`${base}/logs?container=sidecar`);
    expect(container.status).toBe(404);
    expect((await container.json()).error.message).toMatch(/^container: /);

    const env = await get(
      '/entities/component/default/orders/environments/qa/logs',
    );
    expect(env.status).toBe(400);
    expect((await env.json()).error.message).toMatch(
      /^environment: unknown environment "qa"; known: staging/,
    );

    const since = await get(`${base}/logs?since=yesterday`);
    expect(since.status).toBe(400);
    expect((await since.json()).error.message).toMatch(/^since: /);

    const tooMany = await get(`${base}/logs?tailLines=0`);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toMatch(/^tailLines: /);

    const unknown = await get(
      '/entities/component/default/nope/environments/staging/logs',
    );
    expect(unknown.status).toBe(404);

    const anonymous = await get(`${base}/logs`, undefined, false);
    expect(anonymous.status).toBe(401);
  });
});
