// Over 400 lines: one scenario walks a service's secrets through set, unset, rollback,
// rotation and a failed restart on the real platform, checking Vault, the Kubernetes
// Secret, the pods and the history at each step; splitting it would repeat the platform
// setup and the backend per step.
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
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
  withPostgres,
} from '@paved/plugin-provisioning-node/testUtils';
import { randomBytes } from 'node:crypto';
import { deploymentsPlugin } from './plugin';
import { OpenApiValidator } from './schema/__testUtils__/openApiValidator';

// A service's secrets per environment on the local platform's real OpenBao,
// kube-apiserver and node (the pods really restart and read the Secret),
// with the deployments backend on PostgreSQL. Only the catalog and the
// permission policy are mocks. Every request and answer is checked against
// openapi.yaml, and none of the values set or generated may appear in any
// answer, audit row, auditor event or history record.

jest.setTimeout(600_000);

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
/** The permission policy (mocked here) denies Mallory every permission. */
const mallory = 'user:default/mallory';
const ref = 'component:default/orders';
const secretsRoute = (environment = 'staging') =>
  `/entities/component/default/orders/environments/${environment}/secrets`;
/** A value no test would write by accident, so finding it anywhere is a leak. */
const value = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;

describe('secrets per service and environment', () => {
  const openApi = new OpenApiValidator();
  let sandbox: PlatformSandbox;
  let vault: VaultClient;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    vault = new VaultClient(sandbox.platform.vault);
    core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    apps = sandbox.kubeConfig.makeApiClient(AppsV1Api);
  });
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop();
    await sandbox?.cleanup();
    // Roles are the server's, not the sandbox database's.
    if (sandbox) {
      await withPostgres(sandbox.platform.postgresUrl, async client => {
        for (const suffix of ['_staging_a', '_staging_b', '']) {
          await client.query(
            `DROP ROLE IF EXISTS "${sandbox.id}_owner${suffix}"`,
          );
        }
      });
    }
    const operations = [
      'GET /entities/{kind}/{namespace}/{name}/environments/{environment}/secrets',
      'POST /entities/{kind}/{namespace}/{name}/environments/{environment}/secrets',
      'POST /entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rollback',
      'POST /entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rotate',
    ];
    const seen = [...openApi.checked].map(c => c.replace(/ \d+$/, ''));
    const unchecked = operations.filter(o => !seen.includes(o));
    if (unchecked.length > 0) {
      throw new Error(`Not checked against openapi.yaml: ${unchecked}`);
    }
  });

  it('sets, unsets, rolls back and rotates, restarting the service each time, and never shows a value', async () => {
    const { namespace, vaultPath } = sandbox;
    const sessionSecret = value('session');
    // What Create Service writes: the service-wide generated session secret.
    await vault
      .kv('secret', 2)
      .write(`${vaultPath}/app`, { SESSION_SECRET: sessionSecret });
    const { image } = await pushFixtureImage('orders', 'secrets-1.0.0');
    // The golden path's Deployment: its pods get the Secret as environment variables.
    const kubernetes = new DefaultKubernetesClient(sandbox.kubeConfig);
    const labels = { app: 'orders' };
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
                    image,
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

    // The backend, on PostgreSQL.
    const knex = await databases.init('POSTGRES_15');
    const auditorEvents: unknown[] = [];
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        mockServices.auditor.mock({
          createEvent: async event => {
            auditorEvents.push(event);
            return {
              success: async more => {
                auditorEvents.push(more);
              },
              fail: async more => {
                auditorEvents.push({
                  ...more,
                  error: String(more.error?.message),
                });
              },
            };
          },
        }).factory,
        mockServices.permissions.mock({
          authorize: async (requests, { credentials }) =>
            requests.map(() => ({
              result:
                (credentials.principal as { userEntityRef?: string })
                  .userEntityRef === mallory
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
            })),
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
              // A crash loop is told within seconds; this only bounds a hang.
              deployments: { rolloutTimeoutSeconds: 180 },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                  requiresApproval: false,
                  autoRollback: true,
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

    /** Every answer's body, for the leak check at the end. */
    const answers: string[] = [];
    const call = async (
      method: string,
      route: string,
      body?: unknown,
      as = alice,
    ) => {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: {
          Authorization: mockCredentials.user.header(as),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      answers.push(text);
      const json = JSON.parse(text);
      openApi.validateResponse(method, route, response.status, json);
      // A body the backend took must be one the spec allows.
      const problems =
        response.status < 400
          ? openApi.requestProblems(method, route, body)
          : undefined;
      expect(problems).toBeUndefined();
      return { status: response.status, body: json };
    };
    const finished = async (id: string) => {
      const deadline = Date.now() + 240_000;
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
    const kv = vault.kv2('secret');
    const ownPath = `${vaultPath}/env/staging`;
    const secretData = async () => {
      const secret = await core.readNamespacedSecret({
        name: 'orders-secrets',
        namespace,
      });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString(),
        ]),
      );
    };
    const podTemplateVersions = async () =>
      (await apps.readNamespacedDeployment({ name: 'orders', namespace })).spec
        ?.template.metadata?.annotations?.['paved.dev/vault-versions'];
    /** The service's pods that are Ready and not shutting down. */
    const readyPods = async () =>
      (
        await core.listNamespacedPod({
          namespace,
          labelSelector: 'app=orders',
        })
      ).items.filter(
        pod =>
          !pod.metadata?.deletionTimestamp &&
          pod.status?.conditions?.some(
            c => c.type === 'Ready' && c.status === 'True',
          ),
      );

    // The first deploy through the API: the Secret gets the service-wide key.
    const first = await call('POST', '/deployments', {
      entityRef: ref,
      environment: 'staging',
      image,
    });
    expect(first.status).toBe(202);
    expect((await finished(first.body.id)).status).toBe('succeeded');
    expect(await secretData()).toEqual({ APP_SESSION_SECRET: sessionSecret });

    // Listing: names, versions, never values.
    const listed = await call('GET', secretsRoute());
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      environment: 'staging',
      vaultPath: `secret/${ownPath}`,
      items: [
        {
          key: 'APP_SESSION_SECRET',
          source: 'service',
          vaultPath: `secret/${vaultPath}/app`,
          version: 1,
          updatedAt: expect.any(String),
          generated: true,
        },
      ],
    });

    // Bad input: 400 naming the field; no rights: 403; nothing written.
    const apiToken = value('token');
    for (const [route, body, status, message] of [
      [
        secretsRoute('qa'),
        { set: { API_TOKEN: apiToken } },
        400,
        'environment: unknown environment "qa"; known: staging, production',
      ],
      [
        secretsRoute(),
        { set: { 'api-token': apiToken } },
        400,
        'set.api-token: is not a valid environment variable name',
      ],
      [
        secretsRoute(),
        { set: { API_TOKEN: '' } },
        400,
        'set.API_TOKEN: is empty',
      ],
      [
        secretsRoute(),
        { set: { API_TOKEN: `${apiToken}${'x'.repeat(65536)}` } },
        400,
        'values may have at most 65536 bytes (64 KiB)',
      ],
      [secretsRoute(), {}, 400, 'body: give keys to set'],
      [
        secretsRoute(),
        { unset: ['NOT_THERE'] },
        400,
        "unset: NOT_THERE is not one of this environment's own keys",
      ],
      [
        `${secretsRoute()}/rotate`,
        { keys: ['API_TOKEN'] },
        400,
        'keys: API_TOKEN is not generated by Paved',
      ],
      [`${secretsRoute()}/rollback`, {}, 409, 'has no versions yet'],
      [
        `${secretsRoute('qa')}`,
        undefined,
        400,
        'environment: unknown environment "qa"',
      ],
    ] as const) {
      const answer = await call(
        body === undefined ? 'GET' : 'POST',
        route,
        body,
      );
      expect({
        route,
        status: answer.status,
        message: answer.body.error?.message,
      }).toEqual({
        route,
        status,
        message: expect.stringContaining(message),
      });
    }
    const denied = await call(
      'POST',
      secretsRoute(),
      { set: { API_TOKEN: apiToken } },
      mallory,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      `Not allowed: paved.secret.write on ${ref}`,
    );
    expect((await call('GET', secretsRoute(), undefined, mallory)).status).toBe(
      403,
    );
    expect(await kv.readMetadata(ownPath)).toBeUndefined();

    // Dry run: what would change and restart; nothing changes.
    const featureKey = value('feature');
    const dry = await call('POST', secretsRoute(), {
      set: { API_TOKEN: apiToken, FEATURE_KEY: featureKey },
      dryRun: true,
    });
    expect(dry).toEqual({
      status: 200,
      body: {
        dryRun: true,
        environment: 'staging',
        changes: [
          { key: 'API_TOKEN', change: 'added' },
          { key: 'FEATURE_KEY', change: 'added' },
        ],
        restarts: [{ namespace, name: 'orders' }],
      },
    });
    expect(await kv.readMetadata(ownPath)).toBeUndefined();
    const versionsBefore = await podTemplateVersions();

    // Set: version 1 in Vault → the Secret → a restart, in history and audit.
    const set = await call('POST', secretsRoute(), {
      set: { API_TOKEN: apiToken, FEATURE_KEY: featureKey },
    });
    expect(set.status).toBe(202);
    expect(set.body).toMatchObject({
      dryRun: false,
      version: 1,
      changes: dry.body.changes,
      restarts: [{ namespace, name: 'orders' }],
    });
    const setDeployment = await finished(set.body.deploymentId);
    expect(setDeployment).toMatchObject({
      status: 'succeeded',
      image,
      requestedBy: alice,
      secretChange: { version: 1, changes: dry.body.changes },
    });
    expect(setDeployment.message).toContain(
      'Secret change (API_TOKEN added, FEATURE_KEY added) requested by user:default/alice',
    );
    expect(await kv.readVersion(ownPath)).toMatchObject({
      version: 1,
      data: { API_TOKEN: apiToken, FEATURE_KEY: featureKey },
    });
    expect(await secretData()).toEqual({
      APP_SESSION_SECRET: sessionSecret,
      API_TOKEN: apiToken,
      FEATURE_KEY: featureKey,
    });
    const afterSet = await podTemplateVersions();
    expect(afterSet).toBe('app=1,env/staging=1');
    expect(afterSet).not.toBe(versionsBefore);
    // The restarted pods are Ready and carry the new pod template.
    const pods = await readyPods();
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.['paved.dev/vault-versions']).toBe(
        'app=1,env/staging=1',
      );
    }
    const listedAfterSet = await call('GET', secretsRoute());
    expect(listedAfterSet.body.version).toBe(1);
    expect(
      listedAfterSet.body.items.find((i: any) => i.key === 'API_TOKEN'),
    ).toEqual({
      key: 'API_TOKEN',
      source: 'environment',
      vaultPath: `secret/${ownPath}`,
      version: 1,
      updatedAt: expect.any(String),
      updatedBy: alice,
      generated: false,
    });

    // Unset: version 2, the key leaves the Secret.
    const unset = await call('POST', secretsRoute(), {
      unset: ['FEATURE_KEY'],
    });
    expect(unset.body).toMatchObject({
      version: 2,
      previousVersion: 1,
      changes: [{ key: 'FEATURE_KEY', change: 'removed' }],
    });
    expect((await finished(unset.body.deploymentId)).status).toBe('succeeded');
    expect(await secretData()).toEqual({
      APP_SESSION_SECRET: sessionSecret,
      API_TOKEN: apiToken,
    });
    expect(await podTemplateVersions()).toBe('app=1,env/staging=2');

    // Roll back (to the version before: 1): version 3 holds what 1 held.
    const rollbackDry = await call('POST', `${secretsRoute()}/rollback`, {
      dryRun: true,
    });
    expect(rollbackDry.body).toMatchObject({
      dryRun: true,
      previousVersion: 2,
      changes: [{ key: 'FEATURE_KEY', change: 'added' }],
    });
    const rollback = await call('POST', `${secretsRoute()}/rollback`, {});
    expect(rollback.body).toMatchObject({ version: 3, previousVersion: 2 });
    expect((await finished(rollback.body.deploymentId)).status).toBe(
      'succeeded',
    );
    expect(await kv.readVersion(ownPath)).toMatchObject({
      version: 3,
      data: { API_TOKEN: apiToken, FEATURE_KEY: featureKey },
    });
    expect(await secretData()).toMatchObject({ FEATURE_KEY: featureKey });

    // Rotate the generated session secret: the environment gets its own, new one.
    const rotateDry = await call('POST', `${secretsRoute()}/rotate`, {
      dryRun: true,
    });
    expect(rotateDry.body.changes).toEqual([
      { key: 'APP_SESSION_SECRET', change: 'added' },
    ]);
    const rotate = await call('POST', `${secretsRoute()}/rotate`, {});
    expect(rotate.status).toBe(202);
    expect(rotate.body).toMatchObject({ version: 4 });
    expect((await finished(rotate.body.deploymentId)).status).toBe('succeeded');
    const rotated = (await kv.readVersion(ownPath))!.data.APP_SESSION_SECRET;
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(rotated).not.toBe(sessionSecret);
    expect((await secretData()).APP_SESSION_SECRET).toBe(rotated);
    const listedAfterRotate = (await call('GET', secretsRoute())).body.items;
    expect(
      listedAfterRotate.filter((i: any) => i.key === 'APP_SESSION_SECRET'),
    ).toEqual([
      expect.objectContaining({
        source: 'environment',
        version: 4,
        updatedBy: alice,
      }),
      expect.objectContaining({
        source: 'service',
        version: 1,
        overridden: true,
      }),
    ]);
    // Another rotation: another value.
    const again = await call('POST', `${secretsRoute()}/rotate`, {
      keys: ['APP_SESSION_SECRET'],
    });
    expect((await finished(again.body.deploymentId)).status).toBe('succeeded');
    const rotatedAgain = (await kv.readVersion(ownPath))!.data
      .APP_SESSION_SECRET;
    expect(rotatedAgain).not.toBe(rotated);

    // The database password: the environment moves to a login of its own
    // with a new password; the old login stops working once the new pods are
    // Ready (it is retired when the rollout succeeded).
    const owner = `${sandbox.id}_owner`;
    const ownerPassword = value('dbpass');
    const server = new URL(sandbox.platform.postgresUrl);
    await withPostgres(sandbox.platform.postgresUrl, async client => {
      await client.query(
        `CREATE ROLE "${owner}" LOGIN PASSWORD '${ownerPassword}'`,
      );
      await client.query(
        `ALTER DATABASE "${sandbox.database.name}" OWNER TO "${owner}"`,
      );
    });
    await vault.kv('secret', 2).write(`${vaultPath}/database`, {
      username: owner,
      password: ownerPassword,
      host: server.hostname,
      port: server.port,
      database: sandbox.database.name,
      url: `postgresql://${owner}:${ownerPassword}@${server.host}/${sandbox.database.name}`,
    });
    /** Whether the login works; a refused login's PostgreSQL error code otherwise. */
    const login = async (user: string, password: string) => {
      const url = new URL(sandbox.platform.postgresUrl);
      url.username = user;
      url.password = password;
      url.pathname = `/${sandbox.database.name}`;
      try {
        return await withPostgres(url.toString(), async client => {
          // Acting as the owner: a table made by one login is the other's too.
          await client.query('CREATE TABLE IF NOT EXISTS orders (id int)');
          await client.query('INSERT INTO orders VALUES (1)');
          return 'ok';
        });
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    expect(await login(owner, ownerPassword)).toBe('ok');
    const dbDry = await call('POST', `${secretsRoute()}/rotate`, {
      keys: ['DATABASE_PASSWORD'],
      dryRun: true,
    });
    expect(dbDry.body.changes).toEqual([
      { key: 'DATABASE_PASSWORD', change: 'added' },
      { key: 'DATABASE_URL', change: 'added' },
      { key: 'DATABASE_USERNAME', change: 'added' },
    ]);
    expect(await login(owner, ownerPassword)).toBe('ok');
    const dbRotation = await call('POST', `${secretsRoute()}/rotate`, {
      keys: ['DATABASE_PASSWORD'],
    });
    expect(dbRotation.status).toBe(202);
    const dbRotated = await finished(dbRotation.body.deploymentId);
    // Production (not deployed, but its first deploy would get the
    // service-wide login) still uses the owner login: it stays, and says so.
    expect(dbRotated).toMatchObject({
      status: 'succeeded',
      secretChange: {
        version: 6,
        note: `the old database login ${owner} keeps working: production uses it`,
      },
    });
    expect(dbRotated.secretChange.retireLogin).toBeUndefined();
    const firstLogin = (await kv.readVersion(ownPath))!.data;
    expect(firstLogin.DATABASE_USERNAME).toBe(`${owner}_staging_a`);
    expect(await secretData()).toMatchObject({
      DATABASE_USERNAME: `${owner}_staging_a`,
      DATABASE_PASSWORD: firstLogin.DATABASE_PASSWORD,
      DATABASE_URL: firstLogin.DATABASE_URL,
    });
    expect(
      await login(firstLogin.DATABASE_USERNAME, firstLogin.DATABASE_PASSWORD),
    ).toBe('ok');
    expect(await login(owner, ownerPassword)).toBe('ok');
    // Again: the environment's other login; the first one, used by no other
    // environment, stops working once the new pods are Ready.
    const dbAgain = await call('POST', `${secretsRoute()}/rotate`, {
      keys: ['DATABASE_PASSWORD'],
    });
    const dbAgainDone = await finished(dbAgain.body.deploymentId);
    expect(dbAgainDone).toMatchObject({
      status: 'succeeded',
      secretChange: { version: 7, retireLogin: `${owner}_staging_a` },
    });
    expect(dbAgainDone.message).toContain(
      `the old database login ${owner}_staging_a can no longer log in`,
    );
    const secondLogin = (await kv.readVersion(ownPath))!.data;
    expect(secondLogin.DATABASE_USERNAME).toBe(`${owner}_staging_b`);
    expect(
      await login(secondLogin.DATABASE_USERNAME, secondLogin.DATABASE_PASSWORD),
    ).toBe('ok');
    // 28000: invalid_authorization_specification ("not permitted to log in").
    expect(
      await login(firstLogin.DATABASE_USERNAME, firstLogin.DATABASE_PASSWORD),
    ).toBe('28000');

    // A change whose pods never get Ready (the fixture exits at once with
    // FIXTURE_VARIANT=crash): the restart fails, and the secret goes back to
    // the version before it, said in the history.
    const broken = await call('POST', secretsRoute(), {
      set: { FIXTURE_VARIANT: 'crash' },
    });
    expect(broken.body).toMatchObject({ version: 8, previousVersion: 7 });
    const failed = await finished(broken.body.deploymentId);
    expect(failed).toMatchObject({
      status: 'failed',
      failureReason: 'CrashLoop',
      secretChange: { version: 8, previousVersion: 7 },
    });
    let automatic: any;
    for (const deadline = Date.now() + 240_000; ; ) {
      const history = await call(
        'GET',
        '/entities/component/default/orders/deployments?environment=staging&limit=1',
      );
      automatic = history.body.items[0];
      if (automatic?.rollbackOf === failed.id) break;
      if (Date.now() > deadline) throw new Error('no automatic rollback');
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(automatic).toMatchObject({
      requestedBy: 'paved:automatic',
      rollbackOf: failed.id,
      secretChange: {
        version: 9,
        previousVersion: 8,
        changes: [{ key: 'FIXTURE_VARIANT', change: 'removed' }],
      },
    });
    expect(automatic.message).toContain(
      `Automatic rollback of the secrets to version 7: deployment ${failed.id} (secrets version 8) failed (CrashLoop)`,
    );
    expect((await finished(automatic.id)).status).toBe('succeeded');
    expect((await kv.readVersion(ownPath))!.data).toEqual(
      (await kv.readVersion(ownPath, 7))!.data,
    );
    expect(await secretData()).not.toHaveProperty('FIXTURE_VARIANT');

    // History and audit: each change, its restart and how it ended.
    const audit = await call(
      'GET',
      '/entities/component/default/orders/audit-events',
    );
    const actions = audit.body.items.map((e: any) => `${e.action} ${e.result}`);
    for (const expected of [
      'secret-change succeeded',
      'secret-rollback succeeded',
      'secret-rotate succeeded',
      'rollout succeeded',
      'rollout failed',
      'rollback succeeded',
    ]) {
      expect(actions).toContain(expected);
    }
    const history = await call(
      'GET',
      '/entities/component/default/orders/deployments?limit=100',
    );
    expect(history.body.items.filter((d: any) => d.secretChange).length).toBe(
      9,
    );

    // No value anywhere: answers (history and audit among them), auditor
    // events, the Deployment's annotations and the Secret's.
    const deploymentObject = JSON.stringify(
      await apps.readNamespacedDeployment({ name: 'orders', namespace }),
    );
    const secretMetadata = JSON.stringify(
      (await core.readNamespacedSecret({ name: 'orders-secrets', namespace }))
        .metadata,
    );
    const everything = [
      ...answers,
      JSON.stringify(auditorEvents),
      deploymentObject,
      secretMetadata,
    ].join('\n');
    for (const secret of [
      sessionSecret,
      apiToken,
      featureKey,
      rotated,
      rotatedAgain,
      ownerPassword,
      firstLogin.DATABASE_PASSWORD,
      secondLogin.DATABASE_PASSWORD,
    ]) {
      expect(everything.includes(secret)).toBe(false);
    }
    expect(answers.length).toBeGreaterThan(30);
  });
});
