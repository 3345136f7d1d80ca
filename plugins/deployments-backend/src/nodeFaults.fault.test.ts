import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CoreV1Api } from '@kubernetes/client-node';
import { DefaultKubernetesClient } from '@paved/plugin-provisioning-node';
import {
  createPlatformSandbox,
  kubernetesConfigFor,
  PlatformSandbox,
  pushFixtureImage,
} from '@paved/plugin-provisioning-node/testUtils';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deploymentsPlugin } from './plugin';

// Faults on the real node (issue 10): the test platform's containerd or kubelet
// is killed (SIGKILL) while a deploy's rollout is being watched. The deploy must
// end, succeeded or failed with a reason, never stay "rolling-out"; then
// `platform.sh up` restores the part, the node is Ready again, and the next
// deploy succeeds.
//
// Files named *.fault.test.ts run alone, after the other suites (scripts/test.sh,
// stage "Fault tests"): killing the node's parts would fail other suites' pods.

jest.setTimeout(600_000);

const repoRoot = path.resolve(__dirname, '../../..');
const run = process.env.PAVED_RUN;
const nodeName = `paved-${process.env.PAVED_NODE_INSTANCE ?? 'dev'}`;
const IMAGE = 'registry.paved.local/faults';

async function platformUp() {
  await promisify(execFile)(
    'bash',
    [path.join(repoRoot, 'scripts/platform/platform.sh'), 'up'],
    { cwd: repoRoot, env: process.env, timeout: 480_000 },
  );
}

/** SIGKILL to a node part, by its pid file. */
async function kill(part: 'containerd' | 'kubelet') {
  const pid = Number(
    (await readFile(path.join(run!, 'node', `${part}.pid`), 'utf8')).trim(),
  );
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, 'SIGKILL');
}

describe('a node part killed during a deploy', () => {
  let sandbox: PlatformSandbox;
  let kubernetes: DefaultKubernetesClient;
  let tmp: string;
  let killed = false;

  beforeAll(async () => {
    if (!run) {
      throw new Error(
        'PAVED_RUN is not set: run the fault tests with `PAVED_TEST_ONLY=fault npm test`, which brings the test platform up.',
      );
    }
    sandbox = await createPlatformSandbox();
    kubernetes = new DefaultKubernetesClient(sandbox.kubeConfig);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paved-faults-'));
  });
  afterAll(async () => {
    // Whatever happened, the platform leaves with every part running.
    if (killed) await platformUp();
    await sandbox?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function startBackend() {
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        mockServices.permissions.factory(),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'faults',
                namespace: 'default',
                annotations: {
                  'backstage.io/kubernetes-id': 'faults',
                  'paved.dev/golden-path': 'create-service',
                  'paved.dev/kubernetes-namespace-staging': sandbox.namespace,
                },
              },
              spec: {
                type: 'service',
                lifecycle: 'experimental',
                owner: 'storefront-team',
              },
            },
          ],
        }),
        databaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'better-sqlite3',
                connection: { directory: tmp },
              },
            },
            kubernetes: kubernetesConfigFor({ local: sandbox.kubeConfig }),
            paved: {
              platform: {
                vault: sandbox.platform.vault,
                gateway: sandbox.platform.gateway,
              },
              deployments: { rolloutTimeoutSeconds: 120 },
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
    const base = `http://localhost:${backend.server.port()}/api/deployments`;
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: {
          Authorization: mockCredentials.user.header('user:default/alice'),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    /** Every deployment of the service has ended (an automatic rollback included). */
    const settled = async () => {
      const deadline = Date.now() + 300_000;
      for (;;) {
        const { body } = await call(
          'GET',
          '/entities/component/default/faults/deployments?environment=staging&limit=20',
        );
        const open = body.items.filter((d: any) => d.status === 'rolling-out');
        if (open.length === 0) return body.items;
        if (Date.now() > deadline) {
          throw new Error(
            `still rolling out after 300 s: ${open.map((d: any) => d.image)}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    };
    return { call, settled, stop: () => backend.stop() };
  }

  it.each(['containerd', 'kubelet'] as const)(
    'ends the deploy when %s dies, and `platform up` restores it',
    async part => {
      // What runs before: the fixture HTTP server, with a short progress
      // deadline so that a stalled rollout is judged within the test.
      const before = `${IMAGE}:${part}-1`;
      await pushFixtureImage('faults', `${part}-1`, 'ok');
      const labels = { app: 'faults' };
      await kubernetes.apply(
        [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'faults', labels },
            spec: {
              replicas: 1,
              progressDeadlineSeconds: 20,
              selector: { matchLabels: labels },
              template: {
                metadata: { labels },
                spec: {
                  containers: [
                    {
                      name: 'faults',
                      image: before,
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
        { namespace: sandbox.namespace },
      );
      await kubernetes.waitForRollout(sandbox.namespace, 'faults', {
        timeoutMs: 120_000,
      });
      const { call, settled, stop } = await startBackend();
      try {
        await pushFixtureImage('faults', `${part}-2`, 'ok');
        const deploy = await call('POST', '/deployments', {
          entityRef: 'component:default/faults',
          environment: 'staging',
          image: `${IMAGE}:${part}-2`,
        });
        expect(deploy.status).toBe(202);
        killed = true;
        await kill(part);

        // The deploy ends: succeeded (the part's work was done) or failed, saying why.
        const history = await settled();
        const ended = history.find((d: any) => d.id === deploy.body.id);
        expect(['succeeded', 'failed']).toContain(ended.status);
        // A failed one says why.
        expect(ended.status === 'failed' ? ended.message : 'n/a').toBeTruthy();

        // `platform up` brings the part back: the node is Ready, and a deploy works.
        await platformUp();
        killed = false;
        const node = await sandbox.kubeConfig
          .makeApiClient(CoreV1Api)
          .readNode({ name: nodeName });
        expect(
          node.status?.conditions?.find(c => c.type === 'Ready')?.status,
        ).toBe('True');
        await pushFixtureImage('faults', `${part}-3`, 'ok');
        const after = await call('POST', '/deployments', {
          entityRef: 'component:default/faults',
          environment: 'staging',
          image: `${IMAGE}:${part}-3`,
        });
        expect(after.status).toBe(202);
        const final = (await settled()).find(
          (d: any) => d.id === after.body.id,
        );
        expect(final).toMatchObject({ status: 'succeeded' });
        expect(
          await kubernetes.getRolloutStatus(sandbox.namespace, 'faults'),
        ).toMatchObject({ image: `${IMAGE}:${part}-3`, state: 'complete' });
      } finally {
        await stop();
      }
    },
  );
});
