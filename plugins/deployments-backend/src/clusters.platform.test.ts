import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
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
  SecondCluster,
  startSecondCluster,
} from '@paved/plugin-provisioning-node/testUtils';
import knexFactory from 'knex';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deploymentsPlugin } from './plugin';

// Staging and production on two real clusters (docs/decisions/0015): staging
// on the local platform's, production on a second one started for this test
// (its own etcd, apiserver, controller-manager, scheduler and real node, its
// node pulling from the platform's registry). A deploy lands on staging's
// node, and the first promotion copies the service from staging's cluster
// into production's, where its pod really runs on the second node. Its
// database address is each cluster's own: a pod on the second cluster logs in
// to the platform's PostgreSQL through the second node's relay (0018).

jest.setTimeout(600_000);

const IMAGE = 'registry.paved.local/crossing';
const alice = 'user:default/alice';
const bob = 'user:default/bob';

const entities = (
  staging: string,
  production: string,
  vaultPath: string,
): Entity[] => [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'crossing',
      namespace: 'default',
      annotations: {
        'paved.dev/vault-path': `secret/${vaultPath}`,
        'backstage.io/kubernetes-id': 'crossing',
        'paved.dev/golden-path': 'create-service',
        'paved.dev/kubernetes-namespace-staging': staging,
        'paved.dev/kubernetes-namespace-production': production,
      },
    },
    spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  ...['alice', 'bob'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: ['team-a'] },
  })),
];

/** The pods of the service's Deployment in a namespace, with the node each runs on. */
async function podsOf(kubeConfig: KubeConfig, namespace: string) {
  const pods = await kubeConfig
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace, labelSelector: 'app=crossing' });
  return pods.items
    .filter(pod => !pod.metadata?.deletionTimestamp)
    .map(pod => ({
      node: pod.spec?.nodeName,
      phase: pod.status?.phase,
      image: pod.spec?.containers[0].image,
      ip: pod.status?.podIP,
      ready: pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ),
    }));
}

describe('environments on two clusters', () => {
  let staging: PlatformSandbox;
  let second: SecondCluster | undefined;
  const productionNamespace = `crossing-${Date.now().toString(36)}`;

  beforeAll(async () => {
    staging = await createPlatformSandbox();
    second = await startSecondCluster();
    await second.kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: productionNamespace } } });
  });
  afterAll(async () => {
    await staging?.cleanup();
    await second?.stop();
  });

  it("deploys to staging's cluster and promotes into production's, where the pod runs on the second cluster's node", async () => {
    const firstCluster = staging.kubeConfig;
    const secondCluster = second!.kubeConfig;
    const stagingNode = `paved-${process.env.PAVED_NODE_INSTANCE ?? 'dev'}`;
    await pushFixtureImage('crossing', '1.0.0');
    await pushFixtureImage('crossing', '1.1.0', 'ok', { version: '1.1.0' });

    // What Create Service leaves in staging: ConfigMap, Service, Deployment.
    const labels = { app: 'crossing' };
    const stagingClient = new DefaultKubernetesClient(firstCluster);
    await stagingClient.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'crossing-config', labels },
          data: { LOG_LEVEL: 'info' },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'crossing', labels },
          spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'crossing', labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'crossing',
                    image: `${IMAGE}:1.0.0`,
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
      { namespace: staging.namespace },
    );
    await stagingClient.waitForRollout(staging.namespace, 'crossing', {
      timeoutMs: 90_000,
    });

    // The service's database login, as Create Service's module writes it to Vault: the
    // address of the first cluster's relay, where staging runs.
    const firstRelay = staging.platform.databaseAddress!;
    expect(firstRelay).toBeDefined();
    expect(second!.databaseAddress.host).not.toBe(firstRelay.host);
    const admin = knexFactory({
      client: 'pg',
      connection: staging.platform.postgresUrl,
    });
    const login = `crossing_${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await admin.raw(`CREATE ROLE "${login}" LOGIN PASSWORD '${password}'`);
    await new VaultClient(staging.platform.vault)
      .kv('secret', 2)
      .write(`${staging.vaultPath}/database`, {
        host: firstRelay.host,
        port: String(firstRelay.port),
        username: login,
        password,
        database: 'postgres',
        url: `postgresql://${login}:${password}@${firstRelay.host}:${firstRelay.port}/postgres`,
      });

    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({
          entities: entities(
            staging.namespace,
            productionNamespace,
            staging.vaultPath,
          ),
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: kubernetesConfigFor({
              local: firstCluster,
              second: secondCluster,
            }),
            paved: {
              platform: { vault: staging.platform.vault },
              deployments: { rolloutTimeoutSeconds: 180 },
              // Where each cluster's pods reach PostgreSQL: each node's own relay.
              provisioning: {
                moduleDefaults: { 'postgres-database': firstRelay },
                clusterModuleDefaults: {
                  second: { 'postgres-database': second!.databaseAddress },
                },
              },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                },
                {
                  name: 'production',
                  cluster: 'second',
                  namespacePattern: '{service}-production',
                  requiresApproval: true,
                },
              ],
            },
          },
        }),
      ],
    });
    try {
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
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        return { status: response.status, body: await response.json() };
      };
      const finished = async (id: string) => {
        const deadline = Date.now() + 240_000;
        for (;;) {
          const { body } = await call('GET', `/deployments/${id}`, alice);
          if (body.status !== 'rolling-out') return body;
          if (Date.now() > deadline) throw new Error(`${id} still rolling out`);
          await new Promise(resolve => setTimeout(resolve, 500));
        }
      };
      const entityRef = 'component:default/crossing';

      // A deploy to staging: on the first cluster, its pod on the first node.
      const deploy = await call('POST', '/deployments', alice, {
        entityRef,
        environment: 'staging',
        image: `${IMAGE}:1.1.0`,
      });
      expect(deploy.status).toBe(202);
      expect(await finished(deploy.body.id)).toMatchObject({
        status: 'succeeded',
      });
      expect(await podsOf(firstCluster, staging.namespace)).toEqual([
        expect.objectContaining({
          node: stagingNode,
          image: `${IMAGE}:1.1.0`,
          ready: true,
        }),
      ]);

      // The promotion, approved by another member of the team: the objects are
      // read on the first cluster and created on the second.
      const promotion = await call('POST', '/promotions', alice, {
        entityRef,
        from: 'staging',
        to: 'production',
      });
      expect(promotion.status).toBe(201);
      const approved = await call(
        'POST',
        `/approvals/${promotion.body.approval.id}/approve`,
        bob,
      );
      expect(approved.status).toBe(202);
      const promoted = await finished(approved.body.deployment.id);
      expect(promoted).toMatchObject({
        status: 'succeeded',
        environment: 'production',
        image: `${IMAGE}:1.1.0`,
      });
      expect(promoted.message).toContain(
        'first deploy to production: ConfigMap crossing-config, Service crossing, Deployment crossing copied from staging',
      );

      // On the second cluster's node, running and Ready, and answering on its
      // Pod IP from the host with the version it was built as.
      const pods = await podsOf(secondCluster, productionNamespace);
      expect(pods).toEqual([
        expect.objectContaining({
          node: second!.nodeName,
          phase: 'Running',
          image: `${IMAGE}:1.1.0`,
          ready: true,
        }),
      ]);
      const health = await fetch(`http://${pods[0].ip}:8080/healthz`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(await health.json()).toMatchObject({ version: '1.1.0' });
      expect(
        (
          await secondCluster.makeApiClient(CoreV1Api).readNamespacedConfigMap({
            name: 'crossing-config',
            namespace: productionNamespace,
          })
        ).data,
      ).toEqual({ LOG_LEVEL: 'info' });
      // Nothing of production on the first cluster: not even its namespace.
      await expect(
        firstCluster.makeApiClient(AppsV1Api).readNamespacedDeployment({
          name: 'crossing',
          namespace: productionNamespace,
        }),
      ).rejects.toMatchObject({ code: 404 });

      // The environments view reads each environment on its own cluster.
      const environments = await call(
        'GET',
        '/entities/component/default/crossing/environments',
        alice,
      );
      expect(environments.body.items).toEqual([
        expect.objectContaining({
          environment: 'staging',
          image: `${IMAGE}:1.1.0`,
          rolloutState: 'complete',
        }),
        expect.objectContaining({
          environment: 'production',
          namespace: productionNamespace,
          image: `${IMAGE}:1.1.0`,
          rolloutState: 'complete',
          replicas: expect.objectContaining({ ready: 1 }),
        }),
      ]);

      // Each environment's pods are given their own cluster's database address...
      const secretOf = async (kubeConfig: KubeConfig, namespace: string) => {
        const secret = await kubeConfig
          .makeApiClient(CoreV1Api)
          .readNamespacedSecret({ name: 'crossing-secrets', namespace });
        return Object.fromEntries(
          Object.entries(secret.data ?? {}).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString(),
          ]),
        );
      };
      const relayUrl = ({ host: h, port: p }: { host: string; port: number }) =>
        `postgresql://${login}:${password}@${h}:${p}/postgres`;
      expect(await secretOf(firstCluster, staging.namespace)).toMatchObject({
        DATABASE_HOST: firstRelay.host,
        DATABASE_URL: relayUrl(firstRelay),
      });
      expect(await secretOf(secondCluster, productionNamespace)).toMatchObject({
        DATABASE_HOST: second!.databaseAddress.host,
        DATABASE_PORT: String(second!.databaseAddress.port),
        DATABASE_URL: relayUrl(second!.databaseAddress),
      });
      // ... and a pod on the second cluster logs in with what it is given (the Python
      // skeleton's own check: PostgreSQL's start-up and SCRAM exchange, no driver).
      expect(await probeDatabase(secondCluster, productionNamespace)).toBe(
        'answers',
      );
    } finally {
      await backend.stop();
      await admin.raw(`DROP ROLE IF EXISTS "${login}"`).catch(() => undefined);
      await admin.destroy();
    }
  });
});

/**
 * Runs the Python skeleton's database check (templates/create-service) in a
 * pod of `namespace`, with DATABASE_URL from the service's Secret there, and
 * returns what it printed: `answers`, `refused (...)` or `unreachable (...)`.
 */
async function probeDatabase(kubeConfig: KubeConfig, namespace: string) {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const source = await readFile(
    // Tests run from source, where __dirname is this directory.
    // eslint-disable-next-line no-restricted-syntax
    path.resolve(
      __dirname,
      '../../../templates/create-service/languages/python/app/database.py',
    ),
    'utf8',
  );
  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: 'database-probe' },
      data: { 'database.py': source },
    },
  });
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'database-probe' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'probe',
            image: 'registry.paved.local/library/python:3.11-slim-bookworm',
            command: [
              'python3',
              '-c',
              'import os, sys; sys.path.insert(0, "/probe"); import database; print(database.check_database(os.environ["DATABASE_URL"]))',
            ],
            env: [
              {
                name: 'DATABASE_URL',
                valueFrom: {
                  secretKeyRef: {
                    name: 'crossing-secrets',
                    key: 'DATABASE_URL',
                  },
                },
              },
            ],
            volumeMounts: [{ name: 'probe', mountPath: '/probe' }],
          },
        ],
        volumes: [{ name: 'probe', configMap: { name: 'database-probe' } }],
      },
    },
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pod = await core.readNamespacedPod({
      name: 'database-probe',
      namespace,
    });
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the database probe pod is still ${pod.status?.phase}: ${JSON.stringify(
          pod.status?.containerStatuses?.[0]?.state,
        )}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  const log = await core.readNamespacedPodLog({
    name: 'database-probe',
    namespace,
  });
  return String(log).trim();
}
