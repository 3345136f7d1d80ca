import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import {
  DefaultKubernetesClient,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import {
  createPlatformSandbox,
  kubernetesConfigFor,
  PlatformSandbox,
  pushFixtureImage,
} from '@paved/plugin-provisioning-node/testUtils';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { deploymentsPlugin } from './plugin';

// A restart in the middle of an operation loses nothing (issue 12). The portal
// (the deployments backend, on PostgreSQL) is stopped right after it accepted a
// rotation and a deploy, whose rollouts it was watching; a new portal on the same
// database finishes them. OpenBao is stopped before a rotation (refused with a 503
// that says what to do, nothing recorded as running, the lock free) and the
// kube-apiserver is killed during one; `platform.sh up` brings each back and the
// operation ends (or is recorded failed with its reason) and a re-run finishes.
// Real parts only; it stops platform parts, so it is a *.fault.test.ts (run alone).

jest.setTimeout(900_000);

const databases = TestDatabases.create({
  ids: ['POSTGRES_15'],
  disableDocker: true,
});
if (!databases.supports('POSTGRES_15')) {
  throw new Error(
    'No PostgreSQL for the integration tests: run them with `npm test`, which starts one, ' +
      'or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
  );
}

const alice = 'user:default/alice';
const secretsRoute =
  '/entities/component/default/orders/environments/staging/secrets';
// eslint-disable-next-line no-restricted-syntax
const repoRoot = path.resolve(__dirname, '../../..');

function runDir() {
  const run = process.env.PAVED_RUN;
  if (!run || !process.env.PAVED_ROOT) {
    throw new Error(
      'PAVED_ROOT and PAVED_RUN are not set: run this test through `npm test` (scripts/test.sh), which starts the test platform',
    );
  }
  return run;
}

async function platformUp() {
  await promisify(execFile)(
    'bash',
    [path.join(repoRoot, 'scripts/platform/platform.sh'), 'up'],
    { cwd: repoRoot, env: process.env, timeout: 600_000 },
  );
}

/** Stops a platform part by its pid file (SIGKILL: as if it crashed). */
async function killPart(pidFile: string) {
  const pid = Number(
    (await readFile(path.join(runDir(), pidFile), 'utf8')).trim(),
  );
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`${pidFile}: pid ${pid} still runs`);
}

describe('a restart in the middle of a deploy or a rotation', () => {
  let sandbox: PlatformSandbox;
  let stopped = false;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    runDir();
    sandbox = await createPlatformSandbox();
  });
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    if (stopped) await platformUp();
    await sandbox?.cleanup();
  });

  it('finishes what the portal accepted before it stopped, and what a platform part interrupted, once it is back', async () => {
    const { namespace, vaultPath } = sandbox;
    const vault = () => new VaultClient(sandbox.platform.vault);
    await vault()
      .kv('secret', 2)
      .write(`${vaultPath}/app`, { SESSION_SECRET: 'x'.repeat(48) });
    const first = await pushFixtureImage('orders', 'restart-1.0.0');
    const second = await pushFixtureImage('orders', 'restart-1.0.1', 'ok', {
      version: '1.0.1',
    });
    const labels = { app: 'orders' };
    const kubernetes = new DefaultKubernetesClient(sandbox.kubeConfig);
    await kubernetes.apply(
      [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'orders', labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                terminationGracePeriodSeconds: 1,
                containers: [
                  {
                    name: 'orders',
                    image: first.image,
                    envFrom: [
                      { secretRef: { name: 'orders-secrets', optional: true } },
                    ],
                    readinessProbe: {
                      httpGet: { path: '/readyz', port: 8080 },
                      periodSeconds: 1,
                    },
                  },
                ],
              },
            },
          },
        },
      ] as any[],
      { namespace },
    );
    await kubernetes.waitForRollout(namespace, 'orders', { timeoutMs: 90_000 });

    // The portal: the deployments backend on one PostgreSQL database, started again on it.
    const knex = await databases.init('POSTGRES_15');
    const startPortal = async () => {
      const backend = await startTestBackend({
        features: [
          deploymentsPlugin,
          mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          }).factory,
          catalogServiceMock.factory({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: {
                  name: 'orders',
                  namespace: 'default',
                  annotations: {
                    'backstage.io/kubernetes-id': 'orders',
                    'paved.dev/vault-path': `secret/${vaultPath}`,
                    'paved.dev/kubernetes-namespace-staging': namespace,
                    'paved.dev/kubernetes-namespace-production': `${namespace}-none`,
                  },
                },
                spec: {
                  type: 'service',
                  lifecycle: 'experimental',
                  owner: 'storefront-team',
                },
              } as Entity,
            ],
          }),
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: {
                database: {
                  client: 'pg',
                  connection: knex.client.config.connection,
                  pluginDivisionMode: 'schema',
                },
              },
              kubernetes: kubernetesConfigFor({ local: sandbox.kubeConfig }),
              paved: {
                platform: {
                  vault: sandbox.platform.vault,
                  postgres: { url: sandbox.platform.postgresUrl },
                },
                deployments: { rolloutTimeoutSeconds: 240 },
                environments: [
                  {
                    name: 'staging',
                    cluster: 'local',
                    namespacePattern: '{service}-staging',
                    requiresApproval: false,
                    autoRollback: true,
                  },
                ],
              },
            },
          }),
        ],
      });
      const stop = () => backend.stop();
      stops.push(stop);
      const base = `http://localhost:${backend.server.port()}/api/deployments`;
      const call = async (method: string, route: string, body?: unknown) => {
        const response = await fetch(`${base}${route}`, {
          method,
          headers: {
            Authorization: mockCredentials.user.header(alice),
            ...(body === undefined
              ? {}
              : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.status, body: await response.json() };
      };
      const finished = async (id: string) => {
        const deadline = Date.now() + 300_000;
        for (;;) {
          const { body } = await call('GET', `/deployments/${id}`);
          if (body.status === 'succeeded' || body.status === 'failed')
            return body;
          if (Date.now() > deadline) {
            throw new Error(`deployment ${id} still ${body.status}`);
          }
          await new Promise(resolve => setTimeout(resolve, 500));
        }
      };
      return {
        call,
        finished,
        stop: async () => {
          stops.splice(stops.indexOf(stop), 1);
          await stop();
        },
      };
    };
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const apps = sandbox.kubeConfig.makeApiClient(AppsV1Api);
    const kv = () => vault().kv2('secret');
    const ownPath = `${vaultPath}/env/staging`;
    /** What runs: the Secret's session secret and version annotation, and the Deployment's image. */
    const running = async () => {
      const secret = await core.readNamespacedSecret({
        name: 'orders-secrets',
        namespace,
      });
      const deployment = await apps.readNamespacedDeployment({
        name: 'orders',
        namespace,
      });
      return {
        session: Buffer.from(
          secret.data?.APP_SESSION_SECRET ?? '',
          'base64',
        ).toString(),
        versions:
          deployment.spec?.template.metadata?.annotations?.[
            'paved.dev/vault-versions'
          ],
        image: deployment.spec?.template.spec?.containers[0].image,
        ready: deployment.status?.readyReplicas,
      };
    };

    let portal = await startPortal();
    const firstDeploy = await portal.call('POST', '/deployments', {
      entityRef: 'component:default/orders',
      environment: 'staging',
      image: first.image,
    });
    expect(firstDeploy.status).toBe(202);
    expect((await portal.finished(firstDeploy.body.id)).status).toBe(
      'succeeded',
    );

    // 1. The portal stops right after it accepted a rotation; a new one finishes it.
    const rotation = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(rotation.status).toBe(202);
    await portal.stop();
    portal = await startPortal();
    expect(await portal.finished(rotation.body.deploymentId)).toMatchObject({
      status: 'succeeded',
    });
    const rotated = (await kv().readVersion(ownPath))!;
    expect(rotated.version).toBe(rotation.body.version);
    expect(await running()).toMatchObject({
      session: rotated.data.APP_SESSION_SECRET,
      versions: expect.stringContaining(`env/staging=${rotated.version}`),
      ready: 1,
    });
    // ... and the next rotation goes through (the lock was released).
    const again = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(again.status).toBe(202);
    expect((await portal.finished(again.body.deploymentId)).status).toBe(
      'succeeded',
    );

    // 2. The portal stops right after it accepted a deploy; a new one finishes it.
    const deploy = await portal.call('POST', '/deployments', {
      entityRef: 'component:default/orders',
      environment: 'staging',
      image: second.image,
    });
    expect(deploy.status).toBe(202);
    await portal.stop();
    portal = await startPortal();
    expect((await portal.finished(deploy.body.id)).status).toBe('succeeded');
    expect(await running()).toMatchObject({ image: second.image, ready: 1 });

    // 3. OpenBao is down: a rotation is refused with a 503 that names Vault; nothing is
    //    written or left running, and after `up` the same request finishes.
    const versionBefore = (await kv().readVersion(ownPath))!.version;
    stopped = true;
    await killPart('vault/bao.pid');
    const refused = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(refused.status).toBe(503);
    expect(refused.body.error.name).toBe('ServiceUnavailableError');
    expect(refused.body.error.message).toMatch(/Vault|OpenBao/i);
    const history = await portal.call(
      'GET',
      '/entities/component/default/orders/deployments?limit=100',
    );
    expect(
      history.body.items.filter((d: any) => d.status === 'running'),
    ).toEqual([]);
    await platformUp();
    stopped = false;
    expect((await kv().readVersion(ownPath))!.version).toBe(versionBefore);
    const rerun = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(rerun.status).toBe(202);
    expect((await portal.finished(rerun.body.deploymentId)).status).toBe(
      'succeeded',
    );

    // 4. The kube-apiserver dies while a rotation's restart is watched: once it is back,
    //    the rotation ends (succeeded, or failed with its reason), and a re-run finishes
    //    with what Vault holds in the pods.
    const interrupted = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(interrupted.status).toBe(202);
    stopped = true;
    await killPart('kubernetes/kube-apiserver.pid');
    await platformUp();
    stopped = false;
    const ended = await portal.finished(interrupted.body.deploymentId);
    // Either way it ended, and a failure says why.
    expect({
      status: ended.status,
      says:
        ended.status === 'failed' ? ended.failureReason ?? ended.message : 'ok',
    }).toEqual({
      status: expect.stringMatching(/^(succeeded|failed)$/),
      says: expect.stringMatching(/\S/),
    });
    const last = await portal.call('POST', `${secretsRoute}/rotate`, {});
    expect(last.status).toBe(202);
    expect((await portal.finished(last.body.deploymentId)).status).toBe(
      'succeeded',
    );
    const now = (await kv().readVersion(ownPath))!;
    expect(await running()).toMatchObject({
      session: now.data.APP_SESSION_SECRET,
      versions: expect.stringContaining(`env/staging=${now.version}`),
      ready: 1,
    });
    await portal.stop();
  });
});
