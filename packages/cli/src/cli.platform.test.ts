// One scenario, in order, as a developer would go: the built CLI
// as a child process against a real backend (the deployments, auth and local-user
// plugins) on the local platform's apiserver, node, registry and Vault.
//
// Why this file is past 400 lines: the steps share one started backend, one
// sandbox (namespaces, Vault paths, pushed images) and state that each step
// leaves for the next (the signed-in token, the deployed image the promotion
// and rollback build on, the approval another user decides). Split across
// files, each would start its own backend and platform sandbox (tens of
// seconds each on the shared machine) and repeat the deploy to get there; the
// helpers at the top (run, the JSON-schema check, the backend setup) are only
// for this scenario. New CLI scenarios that need other backends (the
// scaffolder's templates) go in their own *.platform.test.ts.
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
  metricsServiceFactory,
  tracingServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import authModuleLocalUserProvider from '@paved/plugin-auth-backend-module-local-user-provider';
import deploymentsPlugin from '@paved/plugin-deployments-backend';
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
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';

jest.setTimeout(600_000);

const PACKAGE = path.resolve(__dirname, '..');
const BIN = path.join(PACKAGE, 'bin', 'paved');

const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

describe('paved CLI against the real backend and platform', () => {
  let staging: PlatformSandbox;
  let production: PlatformSandbox;
  let home: string;
  let root: string;
  let stopBackend: () => Promise<void>;
  let images: { v1: string; v2: string };
  const tokens: Record<string, string> = {};
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const savedNodeEnv = process.env.NODE_ENV;
  let databaseRole: string | undefined;

  /** Runs the built CLI; `as` a user runs it with PAVED_TOKEN, else with what `paved login` stored. */
  function paved(
    args: string[],
    options: { as?: string; stdin?: string; env?: Record<string, string> } = {},
  ): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: home,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: path.join(home, 'config'),
          PAVED_PORTAL: root,
          ...(options.as ? { PAVED_TOKEN: tokens[options.as] } : {}),
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.on('error', reject);
      child.on('close', code => {
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  /** The --json output matches the package's documented schema. */
  async function expectShape(schema: string, value: unknown) {
    // Each file refers into schemas/definitions.json (by its $id).
    for (const name of ['definitions', schema]) {
      const id = `https://paved.dev/cli/schemas/${name}.json`;
      if (!ajv.getSchema(id)) {
        const file = path.join(PACKAGE, 'schemas', `${name}.json`);
        ajv.addSchema(JSON.parse(await readFile(file, 'utf8')));
      }
    }
    const validate = ajv.getSchema(
      `https://paved.dev/cli/schemas/${schema}.json`,
    )!;
    if (!validate(value)) {
      throw new Error(
        `paved ${schema} --json does not match schemas/${schema}.json: ${ajv.errorsText(
          validate.errors,
        )}\n${JSON.stringify(value, null, 2).slice(0, 1500)}`,
      );
    }
  }

  beforeAll(async () => {
    // The CLI as it is shipped: schemas and the bundle.
    execFileSync(process.execPath, ['scripts/schemas.mjs'], { cwd: PACKAGE });
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: PACKAGE });
    home = await mkdtemp(path.join(os.tmpdir(), 'paved-cli-'));
    [staging, production] = await Promise.all([
      createPlatformSandbox(),
      createPlatformSandbox(),
    ]);
    const [v1, v2] = await Promise.all([
      pushFixtureImage('orders', 'cli-1.0.0', 'ok', { version: '1.0.0' }),
      pushFixtureImage('orders', 'cli-1.1.0', 'ok', { version: '1.1.0' }),
    ]);
    images = { v1: v1.image, v2: v2.image };
    await new VaultClient(staging.platform.vault)
      .kv('secret', 2)
      .write(`${staging.vaultPath}/app`, {
        SESSION_SECRET: 'x'.repeat(48),
      });
    const labels = { app: 'orders' };
    const kubernetes = new DefaultKubernetesClient(staging.kubeConfig);
    await kubernetes.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'orders', labels },
          spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
        },
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
                    image: images.v1,
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
      { namespace: staging.namespace },
    );
    await kubernetes.waitForRollout(staging.namespace, 'orders', {
      timeoutMs: 180_000,
    });

    // CLI sign-in's client ID metadata document is served over http only for
    // localhost in development, as the local portal runs.
    process.env.NODE_ENV = 'development';
    const mallory = 'user:default/mallory';
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        metricsServiceFactory,
        tracingServiceFactory,
        authPlugin,
        authModuleLocalUserProvider,
        authServiceFactory,
        httpAuthServiceFactory,
        // The policy's decision, by user: mallory may do nothing.
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
                  'paved.dev/golden-path': 'create-service',
                  'paved.dev/vault-path': `secret/${staging.vaultPath}`,
                  'paved.dev/kubernetes-namespace-staging': staging.namespace,
                  'paved.dev/kubernetes-namespace-production':
                    production.namespace,
                },
              },
              spec: {
                type: 'service',
                lifecycle: 'production',
                owner: 'group:default/storefront-team',
              },
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'storefront-team', namespace: 'default' },
              spec: { type: 'team', children: [] },
            },
            user('alice', ['storefront-team']),
            user('bob', ['storefront-team']),
            user('mallory', []),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
              actions: { pluginSources: ['deployments'] },
            },
            auth: {
              experimentalClientIdMetadataDocuments: { enabled: true },
              experimentalRefreshToken: { enabled: true },
              providers: {
                localUser: { dangerouslyAllowOutsideDevelopment: true },
              },
            },
            kubernetes: kubernetesConfigFor({ local: staging.kubeConfig }),
            paved: {
              platform: { vault: staging.platform.vault },
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
    stopBackend = () => backend.stop();
    root = `http://localhost:${backend.server.port()}`;
    for (const name of ['alice', 'bob', 'mallory']) {
      const session = await fetch(`${root}/api/auth/localUser/refresh`, {
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          'x-paved-local-user': name,
        },
      });
      tokens[name] = (await session.json()).backstageIdentity?.token;
      if (typeof tokens[name] !== 'string') {
        throw new Error(`no token for ${name}: ${session.status}`);
      }
    }
  });

  afterAll(async () => {
    if (databaseRole) {
      await withPostgres(staging.platform.postgresUrl, db =>
        db.query(`DROP ROLE IF EXISTS "${databaseRole}"`),
      );
    }
    process.env.NODE_ENV = savedNodeEnv;
    await stopBackend?.();
    await staging?.cleanup();
    await production?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('fails in the documented ways before anything is done', async () => {
    const version = await paved(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });

    const unknownFlag = await paved(['status', 'orders', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/unknown option '--bogus'/);

    const noToken = await paved(['status', 'orders', '--json']);
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toMatch(/not signed in.*\n.*paved login/);
    expect(noToken.stderr).not.toMatch(/\bat .*\.js:\d+/);
    await expectShape('error', noToken.json);

    const unreachable = await paved(['status', 'orders'], {
      as: 'alice',
      env: { PAVED_PORTAL: 'http://127.0.0.1:9' },
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /cannot reach the portal at http:\/\/127\.0\.0\.1:9/,
    );

    const badToken = await paved(['status', 'orders'], {
      env: { PAVED_TOKEN: 'not-a-token' },
    });
    expect(badToken.code).toBe(3);
  });

  it('signs in through the auth backend (OIDC, PKCE), stores the token 0600, refreshes it', async () => {
    const login = spawn(process.execPath, [BIN, 'login', '--no-browser'], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, 'config'),
        PAVED_PORTAL: root,
      },
    });
    let stderr = '';
    let stdout = '';
    login.stdout.on('data', d => (stdout += d));
    const authorizeUrl = await new Promise<string>((resolve, reject) => {
      login.stderr.on('data', d => {
        stderr += d;
        const match = /(http\S+\/api\/auth\/v1\/authorize\S+)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      login.on('close', () => reject(new Error(`login ended: ${stderr}`)));
    });
    const exited = new Promise<number | null>(resolve =>
      login.on('close', resolve),
    );
    // The browser: the portal's consent page for the session, approved by alice.
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    const consent = authorize.headers.get('location')!;
    expect(consent).toMatch(/^http:\/\/localhost:3000\/oauth2\/authorize\//);
    const sessionId = consent.split('/').pop();
    const approved = await fetch(
      `${root}/api/auth/v1/sessions/${sessionId}/approve`,
      { method: 'POST', headers: { Authorization: `Bearer ${tokens.alice}` } },
    );
    expect(approved.status).toBe(200);
    const { redirectUrl } = await approved.json();
    expect((await fetch(redirectUrl)).status).toBe(200);
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Signed in to .* as user:default\/alice/);

    const file = path.join(home, 'config', 'paved', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const whoami = await paved(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    await expectShape('whoami', whoami.json);
    expect(whoami.json).toMatchObject({
      user: 'user:default/alice',
      source: 'paved login',
    });

    // An expired access token is refreshed with the refresh token.
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(stored.refreshToken).toEqual(expect.any(String));
    await writeFile(
      file,
      JSON.stringify({ ...stored, accessTokenExpiresAt: 0 }),
      { mode: 0o600 },
    );
    const refreshed = await paved(['whoami', '--json']);
    expect(refreshed.code).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // An expired token that cannot be refreshed: sign in again (exit 3).
    await writeFile(
      file,
      JSON.stringify({
        ...after,
        accessTokenExpiresAt: 0,
        refreshToken: 'bogus',
      }),
      { mode: 0o600 },
    );
    const expired = await paved(['status', 'orders']);
    expect(expired.code).toBe(3);
    expect(expired.stderr).toMatch(/expired.*\n.*paved login/);
    await writeFile(file, JSON.stringify(after), { mode: 0o600 });
  });

  it('deploys, shows status and history, promotes with approval by another user, rolls back', async () => {
    // Nothing deployed through the portal yet: nothing to roll back to.
    const nothing = await paved(['deploy', 'rollback', 'orders', '--json']);
    expect(nothing.code).toBe(4);
    expect(nothing.stderr).toMatch(/no earlier good release in staging/);

    const first = await paved(['deploy', 'orders', '--image', images.v1]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Deployed .*cli-1\.0\.0 to staging/);

    const deploy = await paved([
      'deploy',
      'orders',
      '--image',
      images.v2,
      '--json',
    ]);
    expect(deploy.code).toBe(0);
    await expectShape('deploy', deploy.json);
    expect(deploy.json.deployment).toMatchObject({
      status: 'succeeded',
      environment: 'staging',
      image: images.v2,
      requestedBy: 'user:default/alice',
    });
    expect(deploy.stderr).toMatch(/staging: (rolling-out|succeeded)/);

    const status = await paved(['status', 'orders', '--json']);
    expect(status.code).toBe(0);
    await expectShape('status', status.json);
    const stagingStatus = status.json.environments.find(
      (e: any) => e.environment === 'staging',
    );
    expect(stagingStatus).toMatchObject({
      image: images.v2,
      rolloutState: 'complete',
    });
    const human = await paved(['status', 'orders']);
    expect(human.stdout).toMatch(/staging\s+cli-1\.1\.0\s+1\/1/);
    // Not a TTY: no colour codes.
    expect(human.stdout).not.toContain('\u001b[');

    const promote = await paved(['deploy', 'promote', 'orders', '--json']);
    expect(promote.code).toBe(0);
    await expectShape('deploy-promote', promote.json);
    expect(promote.json.type).toBe('approval');
    const approvalId = promote.json.approval.id;

    const selfApprove = await paved(['approve', approvalId]);
    expect(selfApprove.code).toBe(3);

    const approve = await paved(['approve', approvalId, '--json'], {
      as: 'bob',
    });
    expect({ code: approve.code, stderr: approve.stderr }).toMatchObject({
      code: 0,
    });
    await expectShape('approve', approve.json);
    expect(approve.json.deployment).toMatchObject({
      environment: 'production',
      status: 'succeeded',
      image: images.v2,
    });

    const history = await paved(['history', 'orders', '--json']);
    expect(history.code).toBe(0);
    await expectShape('history', history.json);
    expect(history.json.items.length).toBeGreaterThanOrEqual(2);

    const rollback = await paved(['deploy', 'rollback', 'orders', '--json']);
    expect(rollback.code).toBe(0);
    await expectShape('deploy', rollback.json);
    expect(rollback.json.deployment).toMatchObject({
      environment: 'staging',
      status: 'succeeded',
      image: images.v1,
    });
    const undo = await paved(['deploy', 'rollback', 'orders', '--no-follow']);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(
      /Undo: paved deploy rollback orders --env staging --to /,
    );
    await paved([
      'deploy',
      'watch',
      JSON.parse(
        (
          await paved(['history', 'orders', '--json', '-n', '1'])
        ).stdout,
      ).items[0].id,
    ]);
  });

  it('sets, lists and rotates secrets without ever printing a value', async () => {
    const secretValue = `s3cret-${Date.now()}`;
    const piped = `piped-${Date.now()}`;
    const set = await paved(
      [
        'secrets',
        'set',
        'orders',
        `FEATURE_TOKEN=${secretValue}`,
        'API_TOKEN',
        '--json',
      ],
      { stdin: `${piped}\n` },
    );
    expect(set.code).toBe(0);
    await expectShape('secrets-change', set.json);
    expect(set.json.changes.map((c: any) => c.key).sort()).toEqual([
      'API_TOKEN',
      'FEATURE_TOKEN',
    ]);

    const list = await paved(['secrets', 'list', 'orders', '--json']);
    expect(list.code).toBe(0);
    await expectShape('secrets-list', list.json);
    expect(list.json.items.map((k: any) => k.key)).toEqual(
      expect.arrayContaining([
        'API_TOKEN',
        'FEATURE_TOKEN',
        'APP_SESSION_SECRET',
      ]),
    );

    const noYes = await paved(['secrets', 'rotate', 'orders']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes/);

    const dry = await paved([
      'secrets',
      'rotate',
      'orders',
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.json.dryRun).toBe(true);

    const rotate = await paved([
      'secrets',
      'rotate',
      'orders',
      '--yes',
      '--json',
    ]);
    expect(rotate.code).toBe(0);
    await expectShape('secrets-change', rotate.json);
    expect(rotate.json.changes).toEqual([
      expect.objectContaining({ key: 'APP_SESSION_SECRET' }),
    ]);
    for (const run of [set, list, dry, rotate]) {
      expect(run.stdout + run.stderr).not.toContain(secretValue);
      expect(run.stdout + run.stderr).not.toContain(piped);
    }
  });

  it('reads the logs', async () => {
    const logs = await paved(['logs', 'orders', '--since', '1h', '--json']);
    expect(logs.code).toBe(0);
    const lines = logs.stdout
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) await expectShape('logs', line);
    expect(lines.map(l => l.text).join('\n')).toMatch(
      /fixture-http 1\.1\.0: variant ok/,
    );

    const badSince = await paved(['logs', 'orders', '--since', 'yesterday']);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/since: /);
  });

  it('says not permitted (3) and not found (4) by the backend error names', async () => {
    const denied = await paved(
      ['deploy', 'orders', '--image', images.v2, '--json'],
      {
        as: 'mallory',
      },
    );
    expect(denied.code).toBe(3);
    expect(denied.json.error.name).toBe('NotAllowedError');
    await expectShape('error', denied.json);

    const unknown = await paved(['status', 'nope', '--json']);
    expect(unknown.code).toBe(4);
    expect(unknown.json.error.name).toBe('NotFoundError');

    const unknownEnv = await paved([
      'secrets',
      'list',
      'orders',
      '--env',
      'qa',
    ]);
    expect(unknownEnv.code).toBe(2);
    expect(unknownEnv.stderr).toMatch(/environment: unknown environment "qa"/);
  });

  it('offers the same operations as MCP tools, with the same permission decision as the CLI', async () => {
    /** One JSON-RPC call to the MCP actions endpoint (stateless streamable HTTP) as a user. */
    const mcp = async (as: string, method: string, params: object) => {
      const response = await fetch(`${root}/api/mcp-actions/v1`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${tokens[as]}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      const data = text.startsWith('{')
        ? text
        : text
            .split('\n')
            .find(line => line.startsWith('data: '))!
            .slice(6);
      return JSON.parse(data).result;
    };
    const { tools } = await mcp('alice', 'tools/list', {});
    const toolNamed = (suffix: string) =>
      tools.find(
        (t: any) =>
          t.name === suffix ||
          t.name.endsWith(`.${suffix}`) ||
          t.name.endsWith(`-${suffix}`) ||
          t.name.endsWith(`_${suffix}`),
      );
    const deploy = toolNamed('deploy');
    const status = toolNamed('status');
    expect(deploy.annotations).toMatchObject({
      destructiveHint: true,
      readOnlyHint: false,
    });
    expect(status.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.map((t: any) => t.name).join(' ')).toMatch(/secrets-rotate/);

    // Mallory: the CLI says not permitted (3, NotAllowedError); the action says the same.
    const cli = await paved(
      ['deploy', 'orders', '--image', images.v1, '--json'],
      { as: 'mallory' },
    );
    expect(cli.code).toBe(3);
    expect(cli.json.error.name).toBe('NotAllowedError');
    const denied = await mcp('mallory', 'tools/call', {
      name: deploy.name,
      arguments: { service: 'orders', image: images.v1 },
    });
    expect(denied.isError).toBe(true);
    expect(denied.content[0].text).toMatch(/^NotAllowedError: /);

    // Alice reads the status through the action as through the CLI.
    const read = await mcp('alice', 'tools/call', {
      name: status.name,
      arguments: { service: 'orders' },
    });
    expect(read.isError).toBeFalsy();
    const viaMcp = JSON.parse(read.content[0].text);
    const viaCli = (await paved(['status', 'orders', '--json'])).json;
    expect(
      viaMcp.environments.map((e: any) => [e.environment, e.image]),
    ).toEqual(viaCli.environments.map((e: any) => [e.environment, e.image]));
  });

  it('stops following on Ctrl-C (exit 130, how to resume) while the deploy goes on', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'deploy', 'orders', '--image', images.v1],
      {
        cwd: home,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: path.join(home, 'config'),
          PAVED_PORTAL: root,
        },
      },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', d => (stdout += d));
    const exited = new Promise<number | null>(resolve =>
      child.on('close', resolve),
    );
    // Following: the first progress line, with the rollout not yet done.
    const progress = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', d => {
        stderr += d;
        const match = /… staging: (\S+)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`deploy ended: ${stderr}`)));
    });
    expect(progress).not.toMatch(/^(succeeded|failed)$/);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const resume = /Resume with: paved deploy watch (\S+)/.exec(stderr);
    expect(resume).not.toBeNull();
    expect(stdout).not.toMatch(/Deployed/);

    // The deploy went on without the CLI: watching it again sees it through.
    const watch = await paved(['deploy', 'watch', resume![1], '--json']);
    expect({ code: watch.code, stderr: watch.stderr }).toMatchObject({
      code: 0,
    });
    expect(watch.json.deployment).toMatchObject({
      id: resume![1],
      status: 'succeeded',
      image: images.v1,
    });
  });

  it('opens psql on the database with a login fetched at run time, never shown, audited', async () => {
    // The service's database as the postgres-database module leaves it: a
    // login role with a password, its login in Vault at <vault-path>/database
    // with the address the pods use (the node's relay, where PostgreSQL holds
    // every login to its password: docs/decisions/0018).
    const noDatabase = await paved(['db', 'connect', 'orders']);
    expect(noDatabase.code).toBe(4);
    expect(noDatabase.stderr).toMatch(
      /has no database .*\n.*paved db create orders/,
    );

    const platformConfig = yaml.parse(
      readFileSync(
        process.env.PAVED_PLATFORM_CONFIG ??
          path.resolve(PACKAGE, '../../.paved/run/app-config.platform.yaml'),
        'utf8',
      ),
    );
    const relay =
      platformConfig.paved.provisioning.moduleDefaults['postgres-database'];
    databaseRole = `${staging.database.name}_owner`;
    const password = randomBytes(18).toString('hex');
    await withPostgres(staging.platform.postgresUrl, db =>
      db.query(`CREATE ROLE "${databaseRole}" LOGIN PASSWORD '${password}'`),
    );
    await new VaultClient(staging.platform.vault)
      .kv('secret', 2)
      .write(`${staging.vaultPath}/database`, {
        host: relay.host,
        port: String(relay.port),
        database: staging.database.name,
        username: databaseRole,
        password,
        url: `postgresql://${databaseRole}:${password}@${relay.host}:${relay.port}/${staging.database.name}`,
      });

    const connect = await paved([
      'db',
      'connect',
      'orders',
      '--',
      '-AtXc',
      'select current_user, current_database()',
    ]);
    expect({ code: connect.code, stderr: connect.stderr }).toMatchObject({
      code: 0,
    });
    expect(connect.stdout.trim()).toBe(
      `${databaseRole}|${staging.database.name}`,
    );
    expect(connect.stderr).toMatch(
      new RegExp(
        `Connecting to ${staging.database.name} on .* as ${databaseRole}`,
      ),
    );

    // SQL on stdin, the service inferred from the repository it runs in.
    const repo = path.join(home, 'orders-repo');
    execFileSync('git', ['init', '-q', repo]);
    await writeFile(
      path.join(repo, 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\nspec: {}\n',
    );
    const piped = await new Promise<Run>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [BIN, 'db', 'connect', '--', '-AtX'],
        {
          cwd: repo,
          env: {
            PATH: process.env.PATH,
            HOME: home,
            XDG_CONFIG_HOME: path.join(home, 'config'),
            PAVED_PORTAL: root,
          },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', d => (out += d));
      child.stderr.on('data', d => (err += d));
      child.on('error', reject);
      child.on('close', code =>
        resolve({ code, stdout: out, stderr: err, json: undefined }),
      );
      child.stdin.end('select 40 + 2;\n');
    });
    expect({ code: piped.code, stderr: piped.stderr }).toMatchObject({
      code: 0,
    });
    expect(piped.stdout.trim()).toBe('42');

    const denied = await paved(
      ['db', 'connect', 'orders', '--', '-c', 'select 1'],
      {
        as: 'mallory',
      },
    );
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/paved\.database\.connect/);

    const json = await paved(['db', 'connect', 'orders', '--json']);
    expect(json.code).toBe(2);
    await expectShape('error', json.json);

    // The audit trail: who fetched which login, and who was refused; never the password.
    const audit = await (
      await fetch(
        `${root}/api/deployments/entities/component/default/orders/audit-events`,
        { headers: { Authorization: `Bearer ${tokens.alice}` } },
      )
    ).json();
    const fetches = audit.items.filter(
      (e: any) => e.action === 'database-connect',
    );
    expect(fetches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'user:default/alice',
          environment: 'staging',
          result: 'succeeded',
          // The client, by its User-Agent (also the insights' deploy channel).
          message: expect.stringMatching(/\(paved-cli\/0\.1\.0\)$/),
        }),
        expect.objectContaining({
          actor: 'user:default/mallory',
          result: 'failed',
        }),
      ]),
    );
    for (const text of [
      JSON.stringify(audit),
      ...[connect, piped, denied, noDatabase, json].map(
        r => r.stdout + r.stderr,
      ),
    ]) {
      expect(text).not.toContain(password);
    }
  });
});
