// Over 400 lines: one history built through the real API on both databases (builds, deploys,
// a promotion with approval, a failed release rolled back by itself, a requested rollback), then
// every DORA figure, tier, grouping and adoption share checked exactly against what it recorded,
// and the first production deploy's low rating read back from Backstage's notifications backend.
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { DefaultKubernetesClient } from '@paved/plugin-provisioning-node';
import {
  createPlatformSandbox,
  kubernetesConfigFor,
  PlatformSandbox,
  pushFixtureImage,
} from '@paved/plugin-provisioning-node/testUtils';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { deploymentsPlugin } from './plugin';
import { OpenApiValidator } from './schema/__testUtils__/openApiValidator';

// DORA's four keys from a production history made through the deployments
// API on the local platform (real apiserver, node, registry): promotions with
// approval, a release that fails to roll out and is rolled back by itself, a
// release rolled back on request. The figures are checked exactly against
// the records the API returns; the edges without a platform are in
// services/Insights/dora.test.ts.

jest.setTimeout(400_000);

const IMAGE = 'registry.paved.local/orders';
const REF = 'component:default/orders';
const alice = 'user:default/alice';
const bob = 'user:default/bob';
const mallory = 'user:default/mallory';
const priya = 'user:default/priya'; // platform-team

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('GET /insights/dora', () => {
  let staging: PlatformSandbox;
  let production: PlatformSandbox;
  let tmp: string;
  const stops: Array<() => Promise<void>> = [];
  const openApi = new OpenApiValidator();

  beforeAll(async () => {
    if (!databases.supports('POSTGRES_15')) {
      throw new Error(
        'No PostgreSQL: run with `npm test`, or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
      );
    }
    staging = await createPlatformSandbox();
    production = await createPlatformSandbox();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paved-insights-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    await staging?.cleanup();
    await production?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const entities = (): Entity[] =>
    [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'orders',
          namespace: 'default',
          annotations: {
            'backstage.io/kubernetes-id': 'orders',
            'paved.dev/golden-path': 'create-service',
            'paved.dev/kubernetes-namespace-staging': staging.namespace,
            'paved.dev/kubernetes-namespace-production': production.namespace,
          },
        },
        spec: {
          type: 'service',
          lifecycle: 'experimental',
          owner: 'storefront-team',
          system: 'shop',
        },
      },
      // The golden path's template by its own name, so its runs count as
      // Create Service runs; one step, the scaffolder's own debug:log.
      {
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: 'create-service', namespace: 'default' },
        spec: {
          type: 'service',
          owner: 'storefront-team',
          parameters: [
            {
              type: 'object',
              properties: {
                name: { type: 'string' },
                owner: { type: 'string' },
              },
            },
          ],
          steps: [
            {
              id: 'log',
              name: 'Log',
              action: 'debug:log',
              input: { message: 'creating ${{ parameters.name }}' },
            },
          ],
        },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'storefront-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
      ...['alice', 'bob'].map(name => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name, namespace: 'default' },
        spec: { memberOf: ['storefront-team'] },
      })),
      // The platform team, with the relations the catalog would have made
      // (the notifications backend reads a group's members from them).
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'platform-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
        relations: [{ type: 'hasMember', targetRef: priya }],
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'priya', namespace: 'default' },
        spec: { memberOf: ['platform-team'] },
        relations: [
          { type: 'memberOf', targetRef: 'group:default/platform-team' },
        ],
      },
    ] as Entity[];

  /** The Deployment Create Service's first deploy leaves in a namespace. */
  async function firstDeploy(sandbox: PlatformSandbox) {
    const labels = { app: 'orders' };
    await pushFixtureImage('orders', '0.1.0', 'ok');
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
                containers: [
                  {
                    name: 'orders',
                    image: `${IMAGE}:0.1.0`,
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
    await kubernetes.waitForRollout(sandbox.namespace, 'orders', {
      timeoutMs: 60_000,
    });
  }

  async function startBackend(databaseId: TestDatabaseId) {
    let database: JsonObject;
    if (databaseId === 'SQLITE_3') {
      database = {
        client: 'better-sqlite3',
        connection: { directory: await mkdtemp(path.join(tmp, 'sqlite-')) },
      };
    } else {
      const knex = await databases.init(databaseId);
      database = {
        client: 'pg',
        connection: knex.client.config.connection,
        pluginDivisionMode: 'schema',
      };
    }
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, { credentials }) =>
        requests.map(() => ({
          result:
            (credentials.principal as { userEntityRef?: string })
              .userEntityRef === mallory
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
      // The scaffolder's task list asks for conditions: everyone sees every task.
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    });
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        notificationsPlugin,
        scaffolderPlugin,
        permissions.factory,
        catalogServiceMock.factory({ entities: entities() }),
        databaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' }, // the notifications backend's links
            backend: { database },
            kubernetes: kubernetesConfigFor({ local: staging.kubeConfig }),
            paved: {
              platformTeam: 'group:default/platform-team',
              platform: {
                vault: staging.platform.vault,
                gateway: staging.platform.gateway,
              },
              // A release that can't start its pod fails after this long.
              deployments: { rolloutTimeoutSeconds: 25 },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                  requiresApproval: false,
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
    stops.push(() => backend.stop());
    const base = `http://localhost:${backend.server.port()}/api/deployments`;
    const call = async (
      method: string,
      route: string,
      as: string | 'builder',
      body?: unknown,
    ) => {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: {
          Authorization:
            as === 'builder'
              ? mockCredentials.service.header()
              : mockCredentials.user.header(as),
          // As Paved's CLI would: the adoption counts deploys by channel.
          'User-Agent': 'paved-cli/0.0.0 (insights test)',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      openApi.validateResponse(method, route, response.status, json);
      return { status: response.status, body: json };
    };
    const finished = async (id: string) => {
      const deadline = Date.now() + 120_000;
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
    /** What Backstage's notifications backend holds for a user (its own API, not our tables). */
    const notificationsOf = async (user: string) => {
      const response = await fetch(
        `http://localhost:${backend.server.port()}/api/notifications/notifications`,
        { headers: { Authorization: mockCredentials.user.header(user) } },
      );
      expect(response.status).toBe(200);
      return (await response.json()).notifications as any[];
    };
    // A Create Service run, through the real scaffolder, as alice.
    const runCreateService = async () => {
      const response = await fetch(
        `http://localhost:${backend.server.port()}/api/scaffolder/v2/tasks`,
        {
          method: 'POST',
          headers: {
            Authorization: mockCredentials.user.header(alice),
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            templateRef: 'template:default/create-service',
            values: { name: 'cart', owner: 'group:default/storefront-team' },
          }),
        },
      );
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    return { call, finished, runCreateService, notificationsOf };
  }

  it.each(databases.eachSupportedId())(
    'counts each production deployment, failure and recovery exactly, on %s',
    async (databaseId: TestDatabaseId) => {
      await firstDeploy(staging);
      await firstDeploy(production);
      const { call, finished, runCreateService, notificationsOf } =
        await startBackend(databaseId);
      const tag = `${databaseId
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')}-${randomBytes(3).toString('hex')}`;
      const dora = async (query: string, as = alice) =>
        call('GET', `/insights/dora?${query}`, as);

      // Bad input: 400 naming the field; the permission: 403.
      for (const [query, field] of [
        ['window=14', 'window'],
        ['', 'window'],
        ['window=30&groupBy=planet', 'groupBy'],
        ['window=30&unknown=1', 'unknown'],
      ]) {
        const bad = await dora(query);
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain(field);
      }
      expect((await dora('window=7', mallory)).status).toBe(403);

      // No production deploys yet: no figures, no tier.
      const none = await dora(`window=7&entityRef=${REF}`);
      expect(none.status).toBe(200);
      expect(none.body.groups[0].figures.deploymentFrequency.count).toBe(0);
      expect(none.body.groups[0].figures.tier.overall).toBeNull();

      // Each image built from a commit made an hour before (the build records).
      const commitTime = new Date(Date.now() - 3600_000).toISOString();
      const release = async (version: string) => {
        const image = `${IMAGE}:${version}-${tag}`;
        await pushFixtureImage('orders', `${version}-${tag}`, 'ok');
        const sha = randomBytes(20).toString('hex');
        const build = await call('POST', '/builds', 'builder', {
          entityRef: REF,
          commit: { sha, message: version, author: 'alice', time: commitTime },
          status: 'succeeded',
          image,
        });
        expect(build.status).toBe(201);
        const toStaging = await call('POST', '/deployments', alice, {
          entityRef: REF,
          environment: 'staging',
          image,
        });
        expect((await finished(toStaging.body.id)).status).toBe('succeeded');
        const promotion = await call('POST', '/promotions', alice, {
          entityRef: REF,
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
        return finished(approved.body.deployment.id);
      };

      const p1 = await release('1.0.0');
      expect(p1.status).toBe('succeeded');

      // Alice, who asked for p1, rates it 1: the platform team is notified,
      // read back from Backstage's notifications backend as its member.
      const rated = await call('POST', '/feedback', alice, {
        rating: 1,
        category: 'deploy',
        comment: 'the approval took long',
        context: {
          page: '/catalog/default/component/orders/environments',
          action: 'production-deploy',
          entityRef: REF,
          deploymentId: p1.id,
        },
      });
      expect(rated.status).toBe(201);
      const lowRatings = async (user: string) =>
        (await notificationsOf(user)).filter(
          n => n.payload.topic === 'paved-feedback',
        );
      expect(await lowRatings(priya)).toEqual([
        expect.objectContaining({
          user: priya,
          origin: 'plugin:deployments',
          payload: expect.objectContaining({
            title: `Rated 1/5: production-deploy of ${REF}`,
            description: `"the approval took long": ${alice} rated production-deploy (deployment ${p1.id}, on /catalog/default/component/orders/environments) 1/5 [deploy]`,
            link: '/insights',
            severity: 'high',
          }),
        }),
      ]);
      expect(await lowRatings(alice)).toEqual([]);
      expect(await lowRatings(bob)).toEqual([]);
      // The platform team was also asked to approve p1 (the requester never is).
      const approvalRequests = async (user: string) =>
        (await notificationsOf(user)).filter(n =>
          n.payload.title.startsWith('Approval requested'),
        );
      expect(await approvalRequests(priya)).toHaveLength(1);
      expect(await approvalRequests(alice)).toEqual([]);

      // A release whose new pod the namespace's quota refuses: it fails and
      // is rolled back by itself.
      const kubernetes = new DefaultKubernetesClient(production.kubeConfig);
      const quota = {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'one-pod', namespace: production.namespace },
        spec: { hard: { pods: '1' } },
      };
      await kubernetes.apply([quota] as any[], {
        namespace: production.namespace,
      });
      const p2 = await release('2.0.0');
      expect(p2.status).toBe('failed');
      const history = async () =>
        (
          await call(
            'GET',
            '/entities/component/default/orders/deployments?environment=production&limit=20',
            alice,
          )
        ).body.items as any[];
      let p3: any;
      for (const deadline = Date.now() + 120_000; !p3; ) {
        const rollback = (await history()).find(d => d.rollbackOf === p2.id);
        if (rollback) p3 = await finished(rollback.id);
        else if (Date.now() > deadline) throw new Error('no rollback');
        else await new Promise(resolve => setTimeout(resolve, 250));
      }
      expect(p3.status).toBe('succeeded');
      await kubernetes.delete([quota] as any[]);

      // A release that rolls out, then is rolled back on request.
      const p4 = await release('3.0.0');
      expect(p4.status).toBe('succeeded');
      const rollback = await call('POST', '/rollbacks', alice, {
        entityRef: REF,
        environment: 'production',
        toDeploymentId: p1.id,
      });
      expect(rollback.status).toBe(202);
      expect(rollback.body.reverts).toBe(p4.id);
      const p5 = await finished(rollback.body.id);
      expect(p5.status).toBe('succeeded');

      const seconds = (to: string, from: string) =>
        (Date.parse(to) - Date.parse(from)) / 1000;
      const lead1 = seconds(p1.finishedAt, commitTime);
      const lead4 = seconds(p4.finishedAt, commitTime);
      const recovery2 = seconds(p3.finishedAt, p2.createdAt);
      const recovery4 = seconds(p5.finishedAt, p4.createdAt);
      const org = await dora('window=7');
      expect(org.status).toBe(200);
      expect(org.body).toMatchObject({
        window: 7,
        environment: 'production',
        groupBy: 'organisation',
      });
      expect(org.body.tierSource).toContain('2024');
      const [organisation] = org.body.groups;
      expect(organisation.key).toBe('organisation');
      expect(organisation.figures).toEqual({
        deploymentFrequency: {
          count: 3,
          perDay: 3 / 7,
          deploymentIds: [p1.id, p2.id, p4.id],
        },
        leadTime: {
          medianSeconds: (lead1 + lead4) / 2,
          samples: [
            expect.objectContaining({
              deploymentId: p1.id,
              commitTime,
              seconds: lead1,
            }),
            expect.objectContaining({
              deploymentId: p4.id,
              commitTime,
              seconds: lead4,
            }),
          ],
        },
        changeFailureRate: {
          rate: 2 / 3,
          failed: 2,
          count: 3,
          failedDeploymentIds: [p2.id, p4.id],
        },
        recoveryTime: {
          medianSeconds: (recovery2 + recovery4) / 2,
          samples: [
            { deploymentId: p2.id, recoveredBy: p3.id, seconds: recovery2 },
            { deploymentId: p4.id, recoveredBy: p5.id, seconds: recovery4 },
          ],
          unrecoveredDeploymentIds: [],
        },
        tier: {
          overall: 'low',
          deploymentFrequency: 'high',
          leadTime: 'elite',
          changeFailureRate: 'low',
          recoveryTime: 'elite',
        },
      });
      expect(
        organisation.trend.reduce((n: number, w: any) => n + w.deployments, 0),
      ).toBe(3);

      // The same figures per team and per system (from the catalog), and for the service.
      const team = await dora('window=30&groupBy=team');
      expect(team.body.groups.map((g: any) => g.key)).toEqual([
        'group:default/storefront-team',
      ]);
      expect(
        team.body.groups[0].figures.changeFailureRate.failedDeploymentIds,
      ).toEqual([p2.id, p4.id]);
      const system = await dora('window=90&groupBy=system');
      expect(system.body.groups[0].key).toBe('system:default/shop');
      const service = await dora(`window=7&entityRef=${REF}`);
      expect(service.body.groups[0].figures).toEqual(organisation.figures);

      // Adoption: the catalog's one service, on the golden path, without a
      // Paved database; 3 deploys to staging, 3 promotions and a rollback
      // through the "CLI", the automatic rollback by nobody's client.
      // One Create Service run this week, for the storefront team.
      await runCreateService();
      const adoption = await call('GET', '/insights/adoption?window=7', alice);
      expect(adoption.status).toBe(200);
      expect(adoption.body.templateRunsUnavailable).toBeUndefined();
      const week = [
        {
          weekStart: adoption.body.from,
          createService: 1,
          provisionDatabase: 0,
        },
      ];
      expect(adoption.body.groups).toEqual([
        {
          key: 'organisation',
          figures: {
            services: 1,
            goldenPath: 1,
            goldenPathShare: 1,
            withDatabase: 0,
            databaseShare: 0,
            deploys: { portal: 0, cli: 7, other: 1 },
            templateRuns: {
              createService: 1,
              provisionDatabase: 0,
              weekly: week,
            },
          },
        },
        {
          key: 'group:default/storefront-team',
          figures: expect.objectContaining({
            templateRuns: {
              createService: 1,
              provisionDatabase: 0,
              weekly: week,
            },
          }),
        },
      ]);
      expect(
        (await call('GET', '/insights/adoption?window=3', alice)).status,
      ).toBe(400);
    },
  );
});
