import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { JsonObject } from '@backstage/types';
import deploymentsPlugin from '@paved/plugin-deployments-backend';
import { sloPrometheusRule } from '@paved/plugin-deployments-common';
import {
  kubernetesConfigFor,
  unreachableKubeConfig,
} from '@paved/plugin-provisioning-node/testUtils';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Counter, Registry } from 'prom-client';
import yaml from 'yaml';
import { backendDatabaseConfig } from './__testUtils__/databaseConfig';
import { poll, repoRoot } from './__testUtils__/helpers';

// Alerts reach the owners, with every part real (docs/decisions/0026): a service on loopback
// counts its requests with prom-client; Debian's Prometheus (the platform's binary) scrapes it
// and evaluates the SLO rules sloPrometheusRule generates (with its short evaluation interval
// and `for`, the only concession to time); Debian's Alertmanager, configured by the platform's
// own alertmanager_config, posts to the deployments backend's webhook with a static
// external-access token; the backend (on PostgreSQL, with the real catalog, auth and
// notifications backends) tells the owning group. The notification is read back through
// /api/notifications as a member of that group, signed in with the guest provider; the
// entity's alerts through the deployments API, also after a restart of the backend.

jest.setTimeout(300_000);

const execFileAsync = promisify(execFile);
const TOKEN = 'paved-alertmanager-test-token-0123456789abcdef';
const SERVICE = 'orders';
const NAMESPACE = 'orders-staging';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The platform's Debian binaries (scripts/platform/lib/prometheus.sh installs them into the cache). */
async function platformBinary(name: string): Promise<string> {
  const { stdout } = await execFileAsync(
    'bash',
    [
      '-c',
      `source scripts/lib/common.sh && source scripts/platform/lib/prometheus.sh && prometheus_bin ${name}`,
    ],
    { cwd: repoRoot },
  );
  return stdout.trim().split('\n').pop()!;
}

/** A process of this test, its output kept for failure messages. */
function startProcess(command: string, args: string[]) {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The service: GET /orders answers 500 while `failing`, else 200; /metrics by prom-client. */
async function startService() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests by route, method and code',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  // Both series exist from the first scrape at 0, so their first increase counts in rate().
  for (const code of ['200', '500']) {
    requests.inc({ route: '/orders', method: 'GET', code }, 0);
  }
  const state = { failing: false };
  const server = http.createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    const code = state.failing ? 500 : 200;
    requests.inc({ route: '/orders', method: req.method ?? 'GET', code });
    res.writeHead(code).end();
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const port = (server.address() as { port: number }).port;
  return {
    port,
    state,
    /** `n` requests from a client on loopback. */
    async traffic(n: number) {
      for (let i = 0; i < n; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, () =>
            fetch(`http://127.0.0.1:${port}/orders`).then(r => r.arrayBuffer()),
          ),
        );
      }
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

const catalogYaml = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: SERVICE,
      annotations: {
        'backstage.io/kubernetes-id': SERVICE,
        'paved.dev/kubernetes-namespace-staging': NAMESPACE,
        'paved.dev/golden-path': 'create-service',
        'paved.dev/tier': 'standard',
      },
    },
    spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a' },
    spec: { type: 'team', children: [], members: ['alice'] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice' },
    spec: { memberOf: ['team-a'] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bob' },
    spec: { memberOf: [] },
  },
]
  .map(e => yaml.stringify(e))
  .join('---\n');

describe('SLO alerts from Prometheus through Alertmanager to the owners', () => {
  const databases = TestDatabases.create({
    ids: ['POSTGRES_15'],
    disableDocker: true,
  });
  const stops: Array<() => Promise<unknown>> = [];
  let dir: string;

  beforeAll(async () => {
    if (!databases.supports('POSTGRES_15')) {
      throw new Error(
        'No PostgreSQL: run with `npm test`, which starts one, or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
      );
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'paved-alerts-'));
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('notifies the owning group when the fast burn fires, and when it resolves; the entity lists it, after a restart too', async () => {
    const database = await backendDatabaseConfig(databases, 'POSTGRES_15');
    await writeFile(path.join(dir, 'catalog.yaml'), catalogYaml);
    await writeFile(path.join(dir, 'token'), TOKEN);

    const startBackend = async () => {
      const backend = await startTestBackend({
        features: [
          deploymentsPlugin,
          catalogPlugin,
          notificationsPlugin,
          authPlugin,
          guestProvider,
          authServiceFactory,
          httpAuthServiceFactory,
          databaseServiceFactory,
          mockServices.permissions.factory(),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              backend: {
                database,
                auth: {
                  externalAccess: [
                    {
                      type: 'static',
                      options: { token: TOKEN, subject: 'paved-alertmanager' },
                      accessRestrictions: [{ plugin: 'deployments' }],
                    },
                  ],
                },
              },
              auth: {
                providers: {
                  guest: {
                    dangerouslyAllowOutsideDevelopment: true,
                    userEntityRef: 'user:default/alice',
                  },
                },
              },
              catalog: {
                rules: [{ allow: ['Component', 'Group', 'User'] }],
                locations: [
                  { type: 'file', target: path.join(dir, 'catalog.yaml') },
                ],
                processingInterval: { seconds: 1 },
              },
              kubernetes: kubernetesConfigFor({
                local: unreachableKubeConfig(),
              }),
              paved: {
                platform: {
                  vault: { address: 'http://127.0.0.1:1', token: 'unused' },
                },
                environments: [
                  {
                    name: 'staging',
                    cluster: 'local',
                    namespacePattern: '{service}-staging',
                    requiresApproval: false,
                  },
                ],
              },
            } as JsonObject,
          }),
        ],
      });
      return backend;
    };

    let backend = await startBackend();
    stops.push(() => backend.stop());
    // A restart gets another port: `root` follows it (Alertmanager has delivered by then).
    let root = `http://localhost:${backend.server.port()}/api`;
    const signIn = await fetch(`${root}/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    const alice = (await signIn.json()).backstageIdentity?.token;
    expect(alice).toEqual(expect.any(String));
    const asAlice = async (route: string) => {
      const response = await fetch(`${root}${route}`, {
        headers: { Authorization: `Bearer ${alice}` },
      });
      expect({ route, status: response.status }).toEqual({
        route,
        status: 200,
      });
      return response.json();
    };
    // The catalog has read the file: the component and its owner's members are known.
    await poll('the catalog to hold the component', async () => {
      const r = await fetch(
        `${root}/catalog/entities/by-name/group/default/team-a`,
        { headers: { Authorization: `Bearer ${alice}` } },
      );
      const group = r.ok ? await r.json() : undefined;
      return group?.relations?.some((x: any) => x.type === 'hasMember')
        ? true
        : undefined;
    });

    // Bad input: a user may not post alerts; a payload without a label is a 400 naming it.
    const post = (token: string, body: unknown) =>
      fetch(`${root}/deployments/alerts/alertmanager`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    const unlabelled = {
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'X', namespace: NAMESPACE },
          startsAt: new Date().toISOString(),
          fingerprint: 'ab12',
        },
      ],
    };
    const bad = await post(TOKEN, unlabelled);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain(
      'alerts.0.labels.service',
    );
    expect(
      (
        await post(alice, {
          ...unlabelled,
          alerts: [
            {
              ...unlabelled.alerts[0],
              labels: { ...unlabelled.alerts[0].labels, service: SERVICE },
            },
          ],
        })
      ).status,
    ).toBe(403);

    // The service, Prometheus with its SLO rules, Alertmanager with the platform's config.
    const service = await startService();
    stops.push(() => service.close());
    const amPort = await freePort();
    const promPort = await freePort();
    const { stdout: amConfig } = await execFileAsync(
      'bash',
      [
        '-c',
        'source scripts/lib/common.sh && source scripts/platform/lib/prometheus.sh && alertmanager_config "$1" "$2"',
        'alertmanager_config',
        `http://127.0.0.1:${backend.server.port()}`,
        path.join(dir, 'token'),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PAVED_ALERTMANAGER_GROUP_WAIT: '1s',
          PAVED_ALERTMANAGER_GROUP_INTERVAL: '2s',
        },
      },
    );
    await writeFile(path.join(dir, 'alertmanager.yml'), amConfig);
    const alertmanager = startProcess(await platformBinary('alertmanager'), [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    stops.push(() => alertmanager.stop());

    const rule = sloPrometheusRule({
      service: SERVICE,
      namespace: NAMESPACE,
      tier: 'standard',
      evaluationInterval: '1s',
      alertFor: '3s',
    });
    await writeFile(
      path.join(dir, 'rules.yaml'),
      yaml.stringify({ groups: rule.spec.groups }),
    );
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      yaml.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yaml')],
        alerting: {
          alertmanagers: [
            { static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] },
          ],
        },
        scrape_configs: [
          {
            job_name: SERVICE,
            static_configs: [
              {
                targets: [`127.0.0.1:${service.port}`],
                labels: { namespace: NAMESPACE },
              },
            ],
          },
        ],
      }),
    );
    const prometheus = startProcess(await platformBinary('prometheus'), [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    stops.push(() => prometheus.stop());
    await poll(
      'Prometheus and Alertmanager to be ready',
      async () => {
        const ready = await Promise.all(
          [promPort, amPort].map(p =>
            fetch(`http://127.0.0.1:${p}/-/ready`).then(
              r => r.ok,
              () => false,
            ),
          ),
        );
        return ready.every(Boolean) ? true : undefined;
      },
      30_000,
    ).catch(error => {
      throw new Error(
        `${
          error.message
        }\nPrometheus:\n${prometheus.output()}\nAlertmanager:\n${alertmanager.output()}`,
      );
    });

    // Good traffic, then a burst of errors: half the requests failed, far over the fast
    // burn's threshold (14.4x the 0.5 % budget) in both windows.
    await poll(
      'Prometheus to scrape the service',
      async () => {
        const r = await fetch(
          `http://127.0.0.1:${promPort}/api/v1/query?query=http_requests_total`,
        ).then(x => x.json());
        return r.data?.result?.length === 2 ? true : undefined;
      },
      30_000,
    );
    await service.traffic(100);
    await new Promise(resolve => setTimeout(resolve, 2000));
    service.state.failing = true;
    await service.traffic(100);
    service.state.failing = false;
    const firing = await poll(
      'the firing notification to reach alice',
      async () => {
        const { notifications } = await asAlice(
          '/notifications/notifications?topic=paved-alerts',
        );
        return notifications.find((n: any) =>
          n.payload.title.startsWith(
            'Alert firing: AvailabilityBudgetBurnFast',
          ),
        );
      },
      120_000,
    ).catch(error => {
      throw new Error(
        `${error.message}\nAlertmanager:\n${alertmanager.output()}`,
      );
    });
    expect(firing.payload).toMatchObject({
      title: 'Alert firing: AvailabilityBudgetBurnFast on orders (staging)',
      link: '/catalog/default/component/orders/metrics',
      severity: 'critical',
      topic: 'paved-alerts',
    });
    expect(firing.user).toBe('user:default/alice');
    const listed = await asAlice(
      '/deployments/entities/component/default/orders/alerts',
    );
    expect(listed.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          alertname: 'AvailabilityBudgetBurnFast',
          status: 'firing',
          environment: 'staging',
          severity: 'page',
          entityRef: 'component:default/orders',
        }),
      ]),
    );

    // The errors have stopped; enough good requests bring both windows under the threshold.
    const resolved = await poll(
      'the resolution to reach alice',
      async () => {
        await service.traffic(500);
        const { notifications } = await asAlice(
          '/notifications/notifications?topic=paved-alerts',
        );
        return notifications.find(
          (n: any) =>
            n.id === firing.id && n.payload.title.startsWith('Alert resolved:'),
        );
      },
      120_000,
    );
    expect(resolved.payload).toMatchObject({
      title: 'Alert resolved: AvailabilityBudgetBurnFast on orders (staging)',
      severity: 'normal',
    });

    // The record survives a restart of the backend (PostgreSQL).
    await backend.stop();
    backend = await startBackend();
    root = `http://localhost:${backend.server.port()}/api`;
    const after = await asAlice(
      '/deployments/entities/component/default/orders/alerts',
    );
    const fast = after.items.find(
      (a: any) => a.alertname === 'AvailabilityBudgetBurnFast',
    );
    expect(fast).toMatchObject({
      status: 'resolved',
      resolvedAt: expect.any(String),
    });
  });
});
