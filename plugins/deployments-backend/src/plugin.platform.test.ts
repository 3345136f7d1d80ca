// Over 400 lines: one scenario per database walks deploy, promotion with approval,
// rollback, the lock across two backends and a broken release on the real platform; splitting
// it would start the platform's sandboxes and backends once per file.
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  DefaultKubernetesClient,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import {
  createPlatformSandbox,
  kubernetesConfigFor,
  PlatformSandbox,
  pushFixtureImage,
  unreachableKubeConfig,
} from '@paved/plugin-provisioning-node/testUtils';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deploymentsPlugin } from './plugin';
import { OpenApiValidator } from './schema/__testUtils__/openApiValidator';

// The deployments backend on the local platform's real kube-apiserver, node
// and registry (every image deployed here is in the registry and its pods
// really run: a small HTTP server) and Vault, on SQLite and PostgreSQL. Only
// the catalog is a mock, holding the entities the golden path would have
// registered.

jest.setTimeout(240_000);

const IMAGE = 'registry.paved.local/orders';
/** Puts the fixture HTTP server into the registry as `${IMAGE}:<tag>`. */
const pushed = async (tag: string, variant: 'ok' | 'crash' = 'ok') => {
  await pushFixtureImage('orders', tag, variant);
  return `${IMAGE}:${tag}`;
};
const alice = 'user:default/alice';
const bob = 'user:default/bob';
const carol = 'user:default/carol';
/** The permission policy (mocked here) denies Mallory every deployment permission. */
const mallory = 'user:default/mallory';

function testDatabases(): TestDatabases {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });
  if (!databases.supports('POSTGRES_15')) {
    throw new Error(
      'No PostgreSQL for the integration tests: run them with `npm test`, which starts one, ' +
        'or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
    );
  }
  return databases;
}

const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
});

function entities(
  staging: string,
  production: string,
  vaultPath: string,
  newProduction: string,
) {
  const component = (
    name: string,
    annotations: Record<string, string>,
  ): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'storefront-team',
    },
  });
  return [
    component('orders', {
      'backstage.io/kubernetes-id': 'orders',
      'paved.dev/golden-path': 'create-service',
      'paved.dev/vault-path': `secret/${vaultPath}`,
      'paved.dev/kubernetes-namespace-staging': staging,
      'paved.dev/kubernetes-namespace-production': production,
    }),
    // Deployed to staging only; production has its namespace and nothing else yet.
    component('payments', {
      'backstage.io/kubernetes-id': 'payments',
      'paved.dev/golden-path': 'create-service',
      'paved.dev/tier': 'standard',
      'paved.dev/kubernetes-namespace-staging': staging,
      'paved.dev/kubernetes-namespace-production': newProduction,
    }),
    // On the golden path, but never deployed: its Deployment doesn't exist.
    component('fresh', {
      'backstage.io/kubernetes-id': 'fresh',
      'paved.dev/kubernetes-namespace-staging': staging,
      'paved.dev/kubernetes-namespace-production': production,
    }),
    // Registered by hand, not by Create Service.
    component('legacy', {}),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'storefront-team', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    user('alice', ['storefront-team']),
    user('bob', ['storefront-team']),
    user('carol', []),
  ] as Entity[];
}

describe('deployments backend', () => {
  const databases = testDatabases();
  let staging: PlatformSandbox;
  let production: PlatformSandbox;
  let newProduction: PlatformSandbox;
  let kubernetes: DefaultKubernetesClient;
  let tmp: string;
  const running: Array<() => Promise<void>> = [];
  // Every answer is checked against openapi.yaml (status and body).
  const openApi = new OpenApiValidator();

  beforeAll(async () => {
    staging = await createPlatformSandbox();
    production = await createPlatformSandbox();
    newProduction = await createPlatformSandbox();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paved-deployments-'));
    kubernetes = new DefaultKubernetesClient(staging.kubeConfig);
    await new VaultClient(staging.platform.vault)
      .kv('secret', 2)
      .write(`${staging.vaultPath}/app`, { SESSION_SECRET: 'not-shown' });
  });
  afterEach(async () => {
    for (const stop of running.splice(0)) await stop();
  });
  afterAll(async () => {
    await staging?.cleanup();
    await production?.cleanup();
    await newProduction?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
    // Every deployments operation was exercised and checked against the spec
    // (the builds' are, in builds.platform.test.ts).
    const seen = [...openApi.checked].map(c => c.replace(/ \d+$/, ''));
    const unchecked = [
      'POST /deployments',
      'GET /deployments/{id}',
      'GET /entities/{kind}/{namespace}/{name}/environments',
      'GET /entities/{kind}/{namespace}/{name}/deployments',
      'GET /entities/{kind}/{namespace}/{name}/audit-events',
      'GET /entities/{kind}/{namespace}/{name}/approvals',
      'POST /promotions',
      'GET /approvals/{id}',
      'POST /approvals/{id}/approve',
      'POST /approvals/{id}/reject',
      'POST /rollbacks',
    ].filter(o => !seen.includes(o));
    if (unchecked.length > 0 && staging) {
      throw new Error(`Not checked against openapi.yaml: ${unchecked}`);
    }
  });

  /** Puts the Deployment (and, given `withServiceAndConfig`, the Service and ConfigMap) that Create Service's first deploy makes. */
  async function firstDeploy(
    namespace: string,
    name = 'orders',
    withServiceAndConfig = false,
  ) {
    const labels = { app: name };
    await pushed('0.1.0');
    await kubernetes.apply(
      [
        ...(withServiceAndConfig
          ? [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: `${name}-config`, labels },
                data: { LOG_LEVEL: 'info' },
              },
              {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name, labels },
                spec: {
                  selector: labels,
                  ports: [{ port: 80, targetPort: 8080 }],
                },
              },
            ]
          : []),
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name,
                    image: `${IMAGE}:0.1.0`,
                    // As the golden path's: a container that crashes never gets Ready.
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
    await kubernetes.waitForRollout(namespace, name, { timeoutMs: 60_000 });
  }

  async function startBackend(
    database: JsonObject,
    options: {
      /** The cluster `local` (default: the platform's). */
      kubeConfig?: KubeConfig;
      rolloutTimeoutSeconds?: number;
      autoRollback?: boolean;
    } = {},
  ) {
    const { platform } = staging;
    const auditorEvents: Array<{ eventId: string; outcome: string }> = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async ({ eventId }) => ({
        success: async () => {
          auditorEvents.push({ eventId, outcome: 'success' });
        },
        fail: async () => {
          auditorEvents.push({ eventId, outcome: 'fail' });
        },
      }),
    });
    const authorized: string[] = [];
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, { credentials }) => {
        const principal = credentials.principal as { userEntityRef?: string };
        return requests.map(request => {
          authorized.push(
            `${request.permission.name} ${
              'resourceRef' in request ? request.resourceRef : ''
            }`,
          );
          return {
            result:
              principal.userEntityRef === mallory
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          };
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        auditor.factory,
        permissions.factory,
        catalogServiceMock.factory({
          entities: entities(
            staging.namespace,
            production.namespace,
            staging.vaultPath,
            newProduction.namespace,
          ),
        }),
        databaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: { database },
            kubernetes: kubernetesConfigFor({
              local: options.kubeConfig ?? staging.kubeConfig,
            }),
            paved: {
              platform: {
                vault: platform.vault,
                gateway: platform.gateway,
              },
              deployments: {
                rolloutTimeoutSeconds: options.rolloutTimeoutSeconds ?? 120,
              },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                  requiresApproval: false,
                  autoRollback: options.autoRollback ?? true,
                },
                {
                  name: 'production',
                  cluster: 'local',
                  namespacePattern: '{service}-production',
                  requiresApproval: true,
                },
              ],
            },
          },
        }),
      ],
    });
    const stop = () => backend.stop();
    running.push(stop);
    const base = `http://localhost:${backend.server.port()}/api/deployments`;
    const call = async (
      method: string,
      route: string,
      as: string,
      body?: unknown,
    ) => {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: {
          Authorization: mockCredentials.user.header(as),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      openApi.validateResponse(method, route, response.status, json);
      return { status: response.status, body: json };
    };
    const finished = async (id: string) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const { body } = await call('GET', `/deployments/${id}`, alice);
        if (body.status === 'succeeded' || body.status === 'failed') {
          return body;
        }
        if (Date.now() > deadline) {
          throw new Error(`deployment ${id} still ${body.status}`);
        }
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    };
    return { call, finished, stop, auditorEvents, authorized };
  }

  async function databaseConfig(id: TestDatabaseId): Promise<JsonObject> {
    if (id === 'SQLITE_3') {
      // A file, so that a second backend finds the first one's history.
      return {
        client: 'better-sqlite3',
        connection: { directory: await mkdtemp(path.join(tmp, 'sqlite-')) },
      };
    }
    const knex = await databases.init(id);
    const { connection } = knex.client.config;
    return { client: 'pg', connection, pluginDivisionMode: 'schema' };
  }

  it.each(databases.eachSupportedId())(
    'deploys, promotes with approval, rolls back and keeps the history, on %s',
    async (databaseId: TestDatabaseId) => {
      await firstDeploy(staging.namespace);
      await firstDeploy(production.namespace);
      const database = await databaseConfig(databaseId);
      const backend = await startBackend(database);
      const { call, finished } = backend;
      const tag = databaseId.toLowerCase().replace(/[^a-z0-9]/g, '');
      const v2 = await pushed(`2.0.0-${tag}`);
      const v3 = await pushed(`3.0.0-${tag}`);
      await Promise.all([4, 5, 6].map(major => pushed(`${major}.0.0-${tag}`)));
      const deploy = (body: object, as = alice) =>
        call('POST', '/deployments', as, body);
      const ref = 'component:default/orders';

      // Bad input: the right status, naming the field.
      const bad = [
        [{ entityRef: ref, environment: 'staging' }, 400, 'image: Required'],
        [{ entityRef: ref, image: v2 }, 400, 'environment: Required'],
        [
          { entityRef: ref, environment: 'qa', image: v2 },
          400,
          'environment: unknown environment "qa"; known: staging, production',
        ],
        [
          { entityRef: ref, environment: 'production', image: v2 },
          400,
          'environment: production requires an approval, so it is not deployed to directly; deploy to staging and promote from there',
        ],
        [
          { entityRef: ref, environment: 'staging', image: IMAGE },
          400,
          'has no tag or digest',
        ],
        [
          { entityRef: ref, environment: 'staging', image: 'orders:1.0' },
          400,
          'names no registry',
        ],
        [
          {
            entityRef: ref,
            environment: 'staging',
            image: v2,
            replicas: 'two',
          },
          400,
          'replicas: must be a whole number',
        ],
        [
          // A field renamed by a client is refused, not dropped.
          { entityRef: ref, environment: 'staging', image: v2, replica: 2 },
          400,
          'replica: unknown field; the fields are entityRef, environment, image, replicas',
        ],
        [
          {
            entityRef: 'component:default/ghost',
            environment: 'staging',
            image: v2,
          },
          404,
          'No entity component:default/ghost',
        ],
        [
          {
            entityRef: 'component:default/legacy',
            environment: 'staging',
            image: v2,
          },
          400,
          'no paved.dev/kubernetes-namespace-staging annotation. The Create Service template (templates/create-service) adds it',
        ],
        [
          {
            entityRef: 'component:default/fresh',
            environment: 'staging',
            image: v2,
          },
          409,
          'Deployment fresh does not exist in namespace',
        ],
      ] as const;
      const denied = await deploy(
        { entityRef: ref, environment: 'staging', image: v2 },
        mallory,
      );
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        `Not allowed: paved.deployment.create on ${ref}`,
      );
      const legacyEnvironments = await call(
        'GET',
        '/entities/component/default/legacy/environments',
        alice,
      );
      expect(legacyEnvironments.status).toBe(400);
      expect(legacyEnvironments.body.error.message).toContain(
        'templates/create-service',
      );
      for (const [body, status, message] of bad) {
        const response = await deploy(body);
        expect({ body, status: response.status }).toEqual({ body, status });
        expect(response.body.error.message).toContain(message);
      }

      // Two deploys at once: one goes ahead, the other is refused.
      const both = await Promise.all([
        deploy({ entityRef: ref, environment: 'staging', image: v2 }),
        deploy({ entityRef: 'orders', environment: 'staging', image: v2 }),
      ]);
      expect(both.map(r => r.status).sort()).toEqual([202, 409]);
      const accepted = both.find(r => r.status === 202)!.body;
      expect(both.find(r => r.status === 409)!.body.error).toMatchObject({
        // Told apart from other conflicts by name (the UI's "Already deploying").
        name: 'DeploymentInProgressError',
        message: expect.stringContaining(
          `A deployment of ${ref} to staging is already under way`,
        ),
      });
      expect(accepted).toMatchObject({
        entityRef: ref,
        environment: 'staging',
        image: v2,
        status: 'rolling-out',
        requestedBy: alice,
      });
      const first = await finished(accepted.id);
      expect(first.status).toBe('succeeded');
      expect(first.revision).toBeGreaterThan(1);

      // The environments view shows the new image, rolled out.
      const environments = await call(
        'GET',
        '/entities/component/default/orders/environments',
        carol,
      );
      expect(environments.status).toBe(200);
      expect(environments.body.items[0]).toMatchObject({
        environment: 'staging',
        namespace: staging.namespace,
        image: v2,
        rolloutState: 'complete',
        replicas: { desired: 1, ready: 1, updated: 1, available: 1 },
        lastDeployment: { id: accepted.id, status: 'succeeded' },
      });
      expect(environments.body.items[1]).toMatchObject({
        environment: 'production',
        requiresApproval: true,
        image: `${IMAGE}:0.1.0`,
      });

      // Only the image changed hands: the golden path's fields stay its own.
      const live = await staging.kubeConfig
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({
          name: 'orders',
          namespace: staging.namespace,
        });
      expect(live.metadata?.labels).toEqual({ app: 'orders' });
      expect(live.spec?.template.spec?.containers[0].image).toBe(v2);
      expect(live.metadata?.managedFields?.map(f => f.manager)).toEqual(
        expect.arrayContaining(['paved', 'paved-deployments']),
      );

      // The Secret was refreshed from Vault.
      const secret = await staging.kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespacedSecret({
          name: 'orders-secrets',
          namespace: staging.namespace,
        });
      expect(
        Buffer.from(secret.data!.APP_SESSION_SECRET, 'base64').toString(),
      ).toBe('not-shown');
      expect(first.message).toContain('APP_SESSION_SECRET');
      expect(first.message).not.toContain('not-shown');

      // Promotion to production waits for approval.
      const promotion = await call('POST', '/promotions', alice, {
        entityRef: ref,
        from: 'staging',
        to: 'production',
      });
      expect(promotion.status).toBe(201);
      expect(promotion.body).toMatchObject({
        type: 'approval',
        approval: { image: v2, status: 'pending', requestedBy: alice },
      });
      const approvalId = promotion.body.approval.id;
      const pendingApproval = await call(
        'GET',
        `/approvals/${approvalId}`,
        bob,
      );
      expect(pendingApproval.body).toEqual(promotion.body.approval);
      const byRequester = await call(
        'POST',
        `/approvals/${approvalId}/approve`,
        alice,
      );
      expect(byRequester.status).toBe(403);
      expect(byRequester.body.error.message).toContain(
        'requested this promotion and may not decide it',
      );
      const byOutsider = await call(
        'POST',
        `/approvals/${approvalId}/approve`,
        carol,
      );
      expect(byOutsider.status).toBe(403);
      expect(byOutsider.body.error.message).toContain(
        'only members of group:default/storefront-team or group:default/platform-team',
      );
      const approved = await call(
        'POST',
        `/approvals/${approvalId}/approve`,
        bob,
      );
      expect(approved.status).toBe(202);
      expect(approved.body.approval).toMatchObject({
        status: 'approved',
        decidedBy: bob,
      });
      expect((await finished(approved.body.deployment.id)).status).toBe(
        'succeeded',
      );
      const again = await call('POST', `/approvals/${approvalId}/reject`, bob);
      expect(again.status).toBe(409);
      const production_ = await call(
        'GET',
        '/entities/component/default/orders/environments',
        alice,
      );
      expect(production_.body.items[1]).toMatchObject({
        environment: 'production',
        image: v2,
        rolloutState: 'complete',
      });

      // A second promotion, rejected by an owner; and one into an
      // environment without approval, deployed at once.
      const second = await call('POST', '/promotions', alice, {
        entityRef: ref,
        from: 'staging',
        to: 'production',
      });
      const rejected = await call(
        'POST',
        `/approvals/${second.body.approval.id}/reject`,
        bob,
      );
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        status: 'rejected',
        decidedBy: bob,
      });
      const sameEnvironment = await call('POST', '/promotions', alice, {
        entityRef: ref,
        from: 'staging',
        to: 'staging',
      });
      expect(sameEnvironment.status).toBe(400);
      expect(sameEnvironment.body.error.message).toContain('to: ');
      const down = await call('POST', '/promotions', alice, {
        entityRef: ref,
        from: 'production',
        to: 'staging',
      });
      expect(down.status).toBe(202);
      expect(down.body).toMatchObject({
        type: 'deployment',
        deployment: { environment: 'staging', image: v2 },
      });
      expect((await finished(down.body.deployment.id)).status).toBe(
        'succeeded',
      );

      // Rollback brings the earlier image back.
      const third = await deploy({
        entityRef: ref,
        environment: 'staging',
        image: v3,
      });
      expect((await finished(third.body.id)).status).toBe('succeeded');
      const badRollback = await call('POST', '/rollbacks', alice, {
        entityRef: ref,
        environment: 'staging',
      });
      expect(badRollback.status).toBe(400);
      expect(badRollback.body.error.message).toContain(
        'toDeploymentId: Required',
      );
      const rollback = await call('POST', '/rollbacks', alice, {
        entityRef: ref,
        environment: 'staging',
        toDeploymentId: accepted.id,
      });
      expect(rollback.status).toBe(202);
      expect(rollback.body.image).toBe(v2);
      expect((await finished(rollback.body.id)).status).toBe('succeeded');
      const afterRollback = await call(
        'GET',
        '/entities/component/default/orders/environments',
        alice,
      );
      expect(afterRollback.body.items[0].image).toBe(v2);

      // Paginated history, newest first.
      const page1 = await call(
        'GET',
        '/entities/component/default/orders/deployments?environment=staging&limit=2',
        alice,
      );
      expect(page1.body.items.map((d: any) => d.image)).toEqual([v2, v3]);
      expect(page1.body.nextCursor).toBeDefined();
      const page2 = await call(
        'GET',
        `/entities/component/default/orders/deployments?environment=staging&limit=2&cursor=${page1.body.nextCursor}`,
        alice,
      );
      expect(page2.body.items.map((d: any) => d.image)).toEqual([v2, v2]);
      expect(page2.body.items[1].id).toBe(accepted.id);
      expect(page2.body.nextCursor).toBeUndefined();
      const badLimit = await call(
        'GET',
        '/entities/component/default/orders/deployments?limit=lots',
        alice,
      );
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.error.message).toContain(
        'limit: must be a whole number',
      );

      // An audit row per action, with who, what and how it ended.
      const audit = await call(
        'GET',
        '/entities/component/default/orders/audit-events',
        alice,
      );
      const rows = audit.body.items.map(
        (e: any) =>
          `${e.action} ${e.actor} ${e.environment} ${e.image} ${e.result}`,
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          `deploy ${alice} staging ${v2} succeeded`,
          `deploy ${alice} staging ${v2} failed`,
          `rollout ${alice} staging ${v2} succeeded`,
          `promote ${alice} production ${v2} pending`,
          `approve ${alice} production ${v2} failed`,
          `approve ${carol} production ${v2} failed`,
          `approve ${bob} production ${v2} succeeded`,
          `rollout ${alice} production ${v2} succeeded`,
          `rollback ${alice} staging ${v2} succeeded`,
        ]),
      );
      expect(JSON.stringify(audit.body)).not.toContain('not-shown');
      expect(backend.authorized).toEqual(
        expect.arrayContaining([
          `paved.deployment.create ${ref}`,
          `paved.deployment.promote ${ref}`,
          `paved.deployment.approve ${ref}`,
          `paved.deployment.rollback ${ref}`,
        ]),
      );
      expect(backend.auditorEvents).toEqual(
        expect.arrayContaining([
          { eventId: 'deployment-deploy', outcome: 'success' },
          { eventId: 'deployment-deploy', outcome: 'fail' },
          { eventId: 'deployment-approve', outcome: 'fail' },
          { eventId: 'deployment-approve', outcome: 'success' },
          { eventId: 'deployment-reject', outcome: 'success' },
          { eventId: 'deployment-rollback', outcome: 'success' },
        ]),
      );
      await running.pop()!();

      // A second backend on the same database has the whole history; with
      // the apiserver unreachable, a deploy is a 503 and nothing is recorded.
      const restarted = await startBackend(database, {
        kubeConfig: unreachableKubeConfig(),
      });
      const history = await restarted.call(
        'GET',
        '/entities/component/default/orders/deployments',
        alice,
      );
      expect(history.body.items).toHaveLength(5);
      const unreachable = await restarted.call('POST', '/deployments', alice, {
        entityRef: ref,
        environment: 'staging',
        image: v3,
      });
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.error.message).toContain('is unreachable');
      const unchanged = await restarted.call(
        'GET',
        '/entities/component/default/orders/deployments',
        alice,
      );
      expect(unchanged.body.items).toHaveLength(5);
      const environmentsDown = await restarted.call(
        'GET',
        '/entities/component/default/orders/environments',
        alice,
      );
      expect(environmentsDown.status).toBe(503);
    },
  );

  it.each(databases.eachSupportedId())(
    'records a failed rollout, and a restarted backend finishes watching one in flight, on %s',
    async (databaseId: TestDatabaseId) => {
      await firstDeploy(staging.namespace);
      const database = await databaseConfig(databaseId);
      const tag = databaseId.toLowerCase().replace(/[^a-z0-9]/g, '');
      const ref = 'component:default/orders';
      // A quota of one pod leaves no room for the new ReplicaSet's pod, so
      // the rollout cannot progress.
      const core = staging.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespacedResourceQuota({
        namespace: staging.namespace,
        body: { metadata: { name: 'no-room' }, spec: { hard: { pods: '1' } } },
      });
      // (Without the automatic rollback: the quota would stop it as well.)
      const impatient = await startBackend(database, {
        rolloutTimeoutSeconds: 3,
        autoRollback: false,
      });
      const failing = await impatient.call('POST', '/deployments', alice, {
        entityRef: ref,
        environment: 'staging',
        image: `${IMAGE}:4.0.0-${tag}`,
      });
      expect(failing.status).toBe(202);
      const failed = await impatient.finished(failing.body.id);
      expect(failed.status).toBe('failed');
      expect(failed.message).toContain('did not finish within');
      expect(failed.failureReason).toBe('Timeout');
      expect(failed.finishedAt).toBeDefined();
      await core.deleteNamespacedResourceQuota({
        namespace: staging.namespace,
        name: 'no-room',
      });
      await running.pop()!();

      // The lock went with the failure; a backend stopped mid-rollout
      // leaves the deployment rolling-out, and the next one finishes it.
      const first = await startBackend(database);
      const inFlight = await first.call('POST', '/deployments', alice, {
        entityRef: ref,
        environment: 'staging',
        image: `${IMAGE}:5.0.0-${tag}`,
      });
      expect(inFlight.status).toBe(202);
      await running.pop()!();
      const second = await startBackend(database);
      const done = await second.finished(inFlight.body.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        image: `${IMAGE}:5.0.0-${tag}`,
      });

      // Two backends on one database: deploys through both at once, one 409.
      const other = await startBackend(database);
      const racing = await Promise.all(
        [second, other].map(backend =>
          backend.call('POST', '/deployments', alice, {
            entityRef: ref,
            environment: 'staging',
            image: `${IMAGE}:6.0.0-${tag}`,
          }),
        ),
      );
      expect(racing.map(r => r.status).sort()).toEqual([202, 409]);
      const winner = racing.find(r => r.status === 202)!.body;
      expect((await other.finished(winner.id)).status).toBe('succeeded');

      const audit = await second.call(
        'GET',
        '/entities/component/default/orders/audit-events',
        alice,
      );
      expect(
        audit.body.items.map((e: any) => `${e.action} ${e.result} ${e.image}`),
      ).toEqual(
        expect.arrayContaining([
          `rollout failed ${IMAGE}:4.0.0-${tag}`,
          `rollout succeeded ${IMAGE}:5.0.0-${tag}`,
        ]),
      );
    },
  );

  it('creates the service in production at its first promotion, copied from staging, with its monitoring', async () => {
    await firstDeploy(staging.namespace, 'payments', true);
    // Create Service's monitoring-staging step: the skeleton's ServiceMonitor (the rules in
    // staging are not needed here: production's are generated, not copied).
    await kubernetes.apply(
      [
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'ServiceMonitor',
          metadata: { name: 'payments', labels: { app: 'payments' } },
          spec: {
            selector: { matchLabels: { app: 'payments' } },
            endpoints: [{ port: 'http', path: '/metrics' }],
          },
        },
      ] as any[],
      { namespace: staging.namespace },
    );
    const { call, finished } = await startBackend(
      await databaseConfig('SQLITE_3'),
    );
    const ref = 'component:default/payments';
    const approvals = (as: string, status = 'pending') =>
      call(
        'GET',
        `/entities/component/default/payments/approvals?status=${status}`,
        as,
      );

    const promotion = await call('POST', '/promotions', alice, {
      entityRef: ref,
      from: 'staging',
      to: 'production',
    });
    expect(promotion.status).toBe(201);
    const pending = await approvals(carol);
    expect(pending.body.items).toEqual([
      expect.objectContaining({
        id: promotion.body.approval.id,
        image: `${IMAGE}:0.1.0`,
        requestedBy: alice,
      }),
    ]);
    const badStatus = await approvals(alice, 'maybe');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toContain(
      'status: unknown status "maybe"; send one of pending, approved, rejected',
    );

    const approved = await call(
      'POST',
      `/approvals/${promotion.body.approval.id}/approve`,
      bob,
    );
    expect(approved.status).toBe(202);
    const deployment = await finished(approved.body.deployment.id);
    expect(deployment).toMatchObject({
      status: 'succeeded',
      environment: 'production',
      image: `${IMAGE}:0.1.0`,
    });
    expect(deployment.message).toContain(
      'first deploy to production: ConfigMap payments-config, Service payments, Deployment payments copied from staging',
    );
    expect(deployment.message).toContain(
      'monitoring in production: ServiceMonitor payments, PrometheusRule payments-slo, ConfigMap ',
    );
    expect((await approvals(alice)).body.items).toEqual([]);

    // The SLO rules, generated for production's namespace, and the platform's Prometheus
    // loads them: the monitoring reconciler writes their rule file (as the operator would).
    const rule = (await kubernetes.read({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'payments-slo', namespace: newProduction.namespace },
    })) as any;
    const rules = JSON.stringify(rule?.spec);
    expect(rules).toContain(`namespace=\\"${newProduction.namespace}\\"`);
    expect(rules).not.toContain(staging.namespace);
    expect(
      await kubernetes.read({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'payments', namespace: newProduction.namespace },
      }),
    ).toMatchObject({ spec: { endpoints: [{ port: 'http' }] } });
    const ruleFile = path.join(
      // scripts/test.sh sets it: the test platform's run directory.
      process.env.PAVED_RUN ?? path.join(__dirname, '../../../.paved/test-run'),
      'prometheus',
      'rules',
      `${newProduction.namespace}-payments-slo.yaml`,
    );
    const deadline = Date.now() + 30_000;
    let content = '';
    while (!content && Date.now() < deadline) {
      content = await readFile(ruleFile, 'utf8').catch(() => '');
      if (!content) await new Promise(r => setTimeout(r, 500));
    }
    expect(content).not.toBe('');
    // Written as JSON (YAML's subset), atomically.
    const { groups } = JSON.parse(content);
    const alerts = groups.flatMap((g: any) =>
      g.rules.filter((r: any) => r.alert).map((r: any) => r.alert),
    );
    expect(alerts).toContain('AvailabilityBudgetBurnFast');
    expect(content).toContain(`namespace=\\"${newProduction.namespace}\\"`);

    const core = staging.kubeConfig.makeApiClient(CoreV1Api);
    const [stagingService, productionService] = await Promise.all(
      [staging, newProduction].map(({ namespace }) =>
        core.readNamespacedService({ name: 'payments', namespace }),
      ),
    );
    expect(productionService.spec?.ports?.[0]).toMatchObject({
      port: 80,
      targetPort: 8080,
    });
    expect(productionService.spec?.clusterIP).not.toBe(
      stagingService.spec?.clusterIP,
    );
    const config = await core.readNamespacedConfigMap({
      name: 'payments-config',
      namespace: newProduction.namespace,
    });
    expect(config.data).toEqual({ LOG_LEVEL: 'info' });
    const environments = await call(
      'GET',
      '/entities/component/default/payments/environments',
      alice,
    );
    expect(environments.body.items[1]).toMatchObject({
      environment: 'production',
      namespace: newProduction.namespace,
      image: `${IMAGE}:0.1.0`,
      rolloutState: 'complete',
      replicas: { desired: 1, ready: 1, available: 1 },
    });
  });
  it('fails a broken release with its reason and the last log lines, and rolls back to what ran before', async () => {
    await firstDeploy(staging.namespace, 'orders', true);
    const { call, finished } = await startBackend(
      await databaseConfig('SQLITE_3'),
    );
    const ref = 'component:default/orders';
    const good = await pushed('7.0.0');
    const crashing = await pushed('7.1.0-crash', 'crash');
    const missing = `${IMAGE}:7.2.0-never-built`;
    const history = async () =>
      (
        await call(
          'GET',
          '/entities/component/default/orders/deployments?environment=staging&limit=5',
          alice,
        )
      ).body.items;
    /** The automatic rollback that followed a failed deployment, once finished. */
    const rollbackOf = async (failedId: string) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const rollback = (await history()).find(
          (d: any) => d.rollbackOf === failedId,
        );
        if (rollback) return finished(rollback.id);
        if (Date.now() > deadline)
          throw new Error(`no rollback of ${failedId}`);
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    };

    const ok = await call('POST', '/deployments', alice, {
      entityRef: ref,
      environment: 'staging',
      image: good,
    });
    expect((await finished(ok.body.id)).status).toBe('succeeded');

    // An image that was never built: failed on the pull, long before any deadline.
    const started = Date.now();
    const pull = await call('POST', '/deployments', alice, {
      entityRef: ref,
      environment: 'staging',
      image: missing,
    });
    expect(pull.status).toBe(202);
    const pullFailed = await finished(pull.body.id);
    expect(pullFailed).toMatchObject({
      status: 'failed',
      failureReason: 'ImagePull',
      previousImage: good,
    });
    expect(pullFailed.message).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const pullRollback = await rollbackOf(pull.body.id);
    expect(pullRollback).toMatchObject({
      status: 'succeeded',
      image: good,
      requestedBy: 'paved:automatic',
    });

    // A container that exits at once: a crash loop, with its last words.
    const crash = await call('POST', '/deployments', alice, {
      entityRef: ref,
      environment: 'staging',
      image: crashing,
    });
    const crashFailed = await finished(crash.body.id);
    expect(crashFailed).toMatchObject({
      status: 'failed',
      failureReason: 'CrashLoop',
    });
    expect(crashFailed.message).toContain('keeps crashing');
    expect(crashFailed.logTail).toBeTruthy();
    expect((await rollbackOf(crash.body.id)).image).toBe(good);

    // The previous version kept serving throughout, and still does.
    const live = await kubernetes.getRolloutStatus(staging.namespace, 'orders');
    expect(live).toMatchObject({ image: good, state: 'complete' });
    const environments = await call(
      'GET',
      '/entities/component/default/orders/environments',
      alice,
    );
    expect(environments.body.items[0]).toMatchObject({
      image: good,
      url: `http://orders.${staging.namespace}.localhost:${
        new URL(staging.platform.gateway!.url.replace(/[{}]/g, '')).port
      }`,
      health: { healthy: true, statusCode: 200 },
    });

    const audit = await call(
      'GET',
      '/entities/component/default/orders/audit-events',
      alice,
    );
    expect(
      audit.body.items
        .filter((e: any) => e.action === 'rollback')
        .map((e: any) => `${e.actor} ${e.result} ${e.image}`),
    ).toEqual([
      `paved:automatic succeeded ${good}`,
      `paved:automatic succeeded ${good}`,
    ]);
  });
});
