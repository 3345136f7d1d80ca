// Over 400 lines: the build records' API end to end on SQLite and PostgreSQL, each request
// and answer checked against openapi.yaml; the rules alone are tested in services/ (fast tier).
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import { BUILD_LOG_LIMIT } from '@paved/plugin-deployments-common';
import {
  kubernetesConfigFor,
  unreachableKubeConfig,
} from '@paved/plugin-provisioning-node/testUtils';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deploymentsPlugin } from './plugin';
import { OpenApiValidator } from './schema/__testUtils__/openApiValidator';

// The build records' API as the builder and a company's CI use it: with the
// backend's real auth (a static external-access token for the builder, a
// signed-in user's token from the real auth backend), on SQLite and
// PostgreSQL. Every request and answer is checked against openapi.yaml.
// Builds need no Kubernetes or Vault: the cluster points nowhere.
// Over 400 lines because one scenario per database walks the whole API in
// the order the builder uses it; each step depends on the ones before.

jest.setTimeout(120_000);

const BUILDER_TOKEN = 'paved-builder-test-token-0123456789';
const SHA = '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
const SHA2 = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const IMAGE = `registry.paved.local/orders-api:${SHA}`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REF = 'component:default/orders-api';

const ordersApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    namespace: 'default',
    annotations: { 'paved.dev/golden-path': 'create-service' },
  },
  spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
};

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

describe('build records API', () => {
  const openApi = new OpenApiValidator();
  let tmp: string;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paved-builds-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    // Every builds operation was exercised and checked against the spec.
    const operations = [
      'POST /builds',
      'GET /builds/{id}',
      'PATCH /builds/{id}',
      'POST /builds/{id}/log',
      'GET /builds/{id}/log',
      'GET /entities/{kind}/{namespace}/{name}/builds',
    ];
    const seen = [...openApi.checked].map(c => c.replace(/ \d+$/, ''));
    const unchecked = operations.filter(o => !seen.includes(o));
    if (unchecked.length > 0) {
      throw new Error(`Not checked against openapi.yaml: ${unchecked}`);
    }
  });

  async function start(databaseId: TestDatabaseId) {
    let database: JsonObject;
    if (databaseId === 'SQLITE_3') {
      database = { client: 'better-sqlite3', connection: ':memory:' };
    } else {
      const { connection } = (await databases.init(databaseId)).client.config;
      database = { client: 'pg', connection, pluginDivisionMode: 'schema' };
    }
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        authPlugin,
        guestProvider,
        authServiceFactory,
        httpAuthServiceFactory,
        databaseServiceFactory,
        mockServices.permissions.factory(),
        catalogServiceMock.factory({ entities: [ordersApi] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              database,
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: BUILDER_TOKEN, subject: 'paved-builder' },
                  },
                ],
              },
            },
            auth: {
              providers: {
                guest: { dangerouslyAllowOutsideDevelopment: true },
              },
            },
            kubernetes: kubernetesConfigFor({ local: unreachableKubeConfig() }),
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
          },
        }),
      ],
    });
    stops.push(() => backend.stop());
    const root = `http://localhost:${backend.server.port()}/api`;

    // A real user token, as the app gets it when someone signs in.
    const session = await fetch(`${root}/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    const userToken = (await session.json()).backstageIdentity?.token;
    expect(userToken).toEqual(expect.any(String));

    const call = async (
      method: string,
      route: string,
      token: string | undefined,
      body?: unknown,
    ) => {
      const problems = openApi.requestProblems(method, route, body);
      const response = await fetch(`${root}/deployments${route}`, {
        method,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      if (response.status !== 401) {
        openApi.validateResponse(method, route, response.status, json);
      }
      // The spec and the router agree on what is a valid request: what the
      // spec refuses is refused (after auth), what is accepted is valid.
      if (response.ok)
        expect({ route, problems }).toEqual({ route, problems: undefined });
      if (problems && response.status !== 401 && response.status !== 403) {
        expect({ route, problems, status: response.status }).toMatchObject({
          status: 400,
        });
      }
      return { status: response.status, body: json };
    };
    return {
      call,
      builder: (method: string, route: string, body?: unknown) =>
        call(method, route, BUILDER_TOKEN, body),
      user: (method: string, route: string, body?: unknown) =>
        call(method, route, userToken, body),
    };
  }

  const running = (overrides: object = {}) => ({
    entityRef: REF,
    commit: {
      sha: SHA,
      message: 'Add the orders endpoint\n\nWith tests.',
      author: 'Alice <alice@example.com>',
      time: '2026-03-01T11:59:00Z',
    },
    status: 'running',
    log: 'STEP 1/4: FROM node:22-bookworm-slim\n',
    ...overrides,
  });

  it.each(databases.eachSupportedId())(
    'records builds posted with the builder token, not with a user token, on %s',
    async databaseId => {
      const { call, builder, user } = await start(databaseId);

      // Who may post: the builder's static token; a user is refused by name.
      const byUser = await user('POST', '/builds', running());
      expect(byUser.status).toBe(403);
      expect(byUser.body.error.name).toBe('NotAllowedError');
      expect(byUser.body.error.message).toContain(
        'Only CI and service tokens may post builds',
      );
      expect((await call('POST', '/builds', undefined, running())).status).toBe(
        401,
      );
      const startedAt = new Date(Date.now() - 90_000).toISOString();
      const created = await builder('POST', '/builds', running({ startedAt }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        entityRef: REF,
        commitSha: SHA,
        commitMessage: 'Add the orders endpoint\n\nWith tests.',
        commitAuthor: 'Alice <alice@example.com>',
        commitTime: '2026-03-01T11:59:00.000Z',
        status: 'running',
        startedAt,
        createdBy: 'paved-builder',
        logSize: 37,
        logTruncated: false,
      });
      expect(created.body.durationMs).toBeUndefined();
      const id = created.body.id;

      // Bad input: 400 naming the field and the fix.
      const bad: Array<[object, string]> = [
        [running({ commit: { message: 'x' } }), 'commit.sha: Required'],
        [
          running({ commit: { sha: 'not-a-sha' } }),
          'commit.sha: "not-a-sha" is not a commit SHA; send 7 to 40 hexadecimal characters',
        ],
        [running({ commit: { sha: 'abc12' } }), 'commit.sha: "abc12"'],
        [
          running({ status: 'done' }),
          'status: unknown status "done"; send one of running, succeeded, failed',
        ],
        [
          running({ entityRef: 'orders-api' }),
          'entityRef: "orders-api" is not an entity ref of the form component:<namespace>/<name>',
        ],
        [running({ entityRef: 'api:default/orders-api' }), 'entityRef: '],
        [
          running({ image: 'orders-api:1.0' }),
          'image: image "orders-api:1.0" names no registry',
        ],
        [
          running({ digest: 'sha256:xyz' }),
          'digest: "sha256:xyz" is not an image digest',
        ],
        [
          running({ startedAt: 'yesterday' }),
          'startedAt: "yesterday" is not an ISO 8601 time',
        ],
        [
          running({ status: 'succeeded' }),
          'image: a succeeded build names the image it pushed',
        ],
      ];
      for (const [body, message] of bad) {
        const response = await builder('POST', '/builds', body);
        expect({ message, status: response.status }).toEqual({
          message,
          status: 400,
        });
        expect(response.body.error.name).toBe('InputError');
        expect(response.body.error.message).toContain(message);
      }

      // The log streams: appended by the builder, read from an offset.
      expect(
        (await user('POST', `/builds/${id}/log`, { text: 'no' })).status,
      ).toBe(403);
      const appended = await builder('POST', `/builds/${id}/log`, {
        text: 'STEP 2/4: COPY . .\n',
      });
      expect(appended.body.logSize).toBe(56);
      const tail = await user('GET', `/builds/${id}/log?offset=37`);
      expect(tail.body).toEqual({
        text: 'STEP 2/4: COPY . .\n',
        offset: 37,
        nextOffset: 56,
        truncated: false,
        status: 'running',
        finished: false,
      });
      expect(
        (await user('GET', `/builds/${id}/log?offset=57`)).body.error.message,
      ).toContain('offset: 57 is past the end of the log (56 characters)');
      expect(
        (await user('GET', `/builds/${id}/log?offset=lots`)).body.error.message,
      ).toContain('offset: must be a whole number');

      // Finished once, with the last lines; durations computed here.
      const badFinish = await builder('PATCH', `/builds/${id}`, {
        status: 'running',
      });
      expect(badFinish.status).toBe(400);
      expect(badFinish.body.error.message).toContain(
        'status: unknown status "running"',
      );
      const finishedAt = new Date(Date.parse(startedAt) + 61_500).toISOString();
      const finished = await builder('PATCH', `/builds/${id}`, {
        status: 'succeeded',
        image: IMAGE,
        digest: DIGEST,
        log: 'Pushed.\n',
        finishedAt,
      });
      expect(finished.status).toBe(200);
      expect(finished.body).toMatchObject({
        status: 'succeeded',
        image: IMAGE,
        digest: DIGEST,
        finishedAt,
        durationMs: 61_500,
        logSize: 64,
      });
      const again = await builder('PATCH', `/builds/${id}`, {
        status: 'failed',
      });
      expect(again.status).toBe(409);
      expect(again.body.error.name).toBe('ConflictError');
      expect(again.body.error.message).toContain(
        `Build ${id} already succeeded`,
      );
      expect(
        (await builder('POST', `/builds/${id}/log`, { text: 'late' })).status,
      ).toBe(409);
      expect(
        (await builder('PATCH', '/builds/no-such-build', { status: 'failed' }))
          .status,
      ).toBe(404);
      const whole = await user('GET', `/builds/${id}`);
      expect(whole.body.log).toBe(
        'STEP 1/4: FROM node:22-bookworm-slim\nSTEP 2/4: COPY . .\nPushed.\n',
      );
      expect(
        (await user('GET', `/builds/${id}/log?offset=56`)).body,
      ).toMatchObject({
        text: 'Pushed.\n',
        finished: true,
        status: 'succeeded',
      });

      // A failed build posted whole, and one of another commit whose log
      // outgrew the limit: the start is dropped, offsets stay the log's.
      const failed = await builder('POST', '/builds', {
        ...running({ commit: { sha: SHA2.slice(0, 12) } }),
        status: 'failed',
        message: 'no Dockerfile at the repository root',
      });
      expect(failed.body).toMatchObject({
        status: 'failed',
        durationMs: expect.any(Number),
      });
      const big = await builder(
        'POST',
        '/builds',
        running({ commit: { sha: SHA2 } }),
      );
      const line = `${'x'.repeat(99)}\n`;
      await builder('POST', `/builds/${big.body.id}/log`, {
        text: line.repeat(Math.ceil(BUILD_LOG_LIMIT / 100) + 500),
      });
      const capped = await user('GET', `/builds/${big.body.id}/log?offset=0`);
      expect(capped.body.truncated).toBe(true);
      expect(capped.body.offset).toBeGreaterThan(0);
      expect(capped.body.text.length).toBeLessThanOrEqual(BUILD_LOG_LIMIT);
      expect(capped.body.offset + capped.body.text.length).toBe(
        capped.body.nextOffset,
      );
      expect(capped.body.text.startsWith(line)).toBe(true);
      expect(
        (await user('GET', `/builds/${big.body.id}`)).body.logTruncated,
      ).toBe(true);

      // Newest first, a page at a time; by status; by commit.
      const list = (query: string, as = user) =>
        as('GET', `/entities/component/default/orders-api/builds${query}`);
      const page1 = await list('?limit=2');
      expect(page1.body.items.map((b: any) => b.id)).toEqual([
        big.body.id,
        failed.body.id,
      ]);
      const page2 = await list(`?limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body.items.map((b: any) => b.id)).toEqual([id]);
      expect(page2.body.nextCursor).toBeUndefined();
      expect(
        (await list('?status=succeeded')).body.items.map((b: any) => b.image),
      ).toEqual([IMAGE]);
      // An abbreviated SHA on either side finds the same commit.
      expect(
        (await list(`?commitSha=${SHA2}`)).body.items.map((b: any) => b.id),
      ).toEqual([big.body.id, failed.body.id]);
      expect(
        (await list(`?commitSha=${SHA.slice(0, 7)}`)).body.items,
      ).toHaveLength(1);
      for (const [query, message] of [
        ['?limit=0', 'limit: must be a whole number from 1 to 100'],
        ['?status=done', 'status: unknown status "done"'],
        ['?cursor=abc', 'cursor: "abc" is not a cursor this API returned'],
        ['?commitSha=main', 'commitSha: "main" is not a commit SHA'],
      ]) {
        expect((await list(query)).body.error.message).toContain(message);
      }

      // A new service's first build arrives before the catalog has it:
      // recorded, and readable by services; people see it once registered.
      const fresh = await builder(
        'POST',
        '/builds',
        running({ entityRef: 'component:default/fresh-svc' }),
      );
      expect(fresh.status).toBe(201);
      const freshList = '/entities/component/default/fresh-svc/builds';
      expect((await builder('GET', freshList)).body.items).toHaveLength(1);
      const hidden = await user('GET', freshList);
      expect(hidden.status).toBe(404);
      expect((await user('GET', `/builds/${fresh.body.id}`)).status).toBe(404);
    },
  );
});
