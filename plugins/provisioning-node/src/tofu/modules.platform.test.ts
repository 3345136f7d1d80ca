import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createPlatformSandbox,
  PlatformSandbox,
  withPostgres,
} from '../testUtils';
import { VaultClient } from '../vault';
import { DefaultTofuRunner } from './TofuRunner';
import { TofuModuleRun } from './types';

// Applies each module of templates/modules through DefaultTofuRunner on the
// local platform and checks the result on the real Kubernetes, Vault and
// PostgreSQL; then destroys it and checks that everything is gone.

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const MODULES = path.resolve(__dirname, '../../../../templates/modules');

describe('templates/modules through DefaultTofuRunner', () => {
  let sandbox: PlatformSandbox;
  let runner: DefaultTofuRunner;
  let vault: VaultClient;
  let stateSchema: string;
  let workDir: string;
  const logs: string[] = [];
  const leftovers: Array<() => Promise<unknown>> = [];

  const moduleRun = (
    name: string,
    workspace: string,
    variables: Record<string, unknown>,
  ): TofuModuleRun => ({
    moduleDir: path.join(MODULES, name),
    workspace,
    stateSchema,
    variables,
    onLog: line => logs.push(line),
  });

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    vault = new VaultClient(sandbox.platform.vault);
    stateSchema = `tofu_modules_${sandbox.id}`;
    workDir = await mkdtemp(path.join(os.tmpdir(), 'paved-tofu-workdirs-'));
    runner = DefaultTofuRunner.fromConfig(
      new ConfigReader({
        paved: {
          platform: {
            kubeconfig: sandbox.platform.kubeconfigPath,
            postgres: { url: sandbox.platform.postgresUrl },
            vault: sandbox.platform.vault,
            tofu: sandbox.platform.tofu,
          },
        },
      }),
      { workDir },
    );
  });

  afterAll(async () => {
    // Only what a failed test left behind; a passing run has destroyed it all.
    for (const leftover of leftovers) await leftover().catch(() => undefined);
    await withPostgres(sandbox.platform.tofu.stateConnection, client =>
      client.query(`DROP SCHEMA IF EXISTS ${stateSchema} CASCADE`),
    );
    await rm(workDir, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  beforeEach(() => {
    logs.length = 0;
  });

  /** Nothing a run logged holds the portal's Vault token or one of `secrets`. */
  const expectCleanLogs = (...secrets: string[]) => {
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      for (const secret of [sandbox.platform.vault.token, ...secrets]) {
        expect(line).not.toContain(secret);
      }
    }
  };

  it('service-namespace: a namespace per environment with labels, quota by tier, ServiceAccount and read-only RoleBinding', async () => {
    const service = `orders-${sandbox.id}`;
    const namespaces = {
      staging: `${service}-staging`,
      production: `${service}-production`,
    };
    const run = moduleRun('service-namespace', service, {
      service,
      owner: 'group:default/Storefront-Team',
      tier: 'experimental',
      namespaces,
    });
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const rbac = sandbox.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const authorization = sandbox.kubeConfig.makeApiClient(AuthorizationV1Api);
    leftovers.push(
      ...Object.values(namespaces).map(
        name => () => core.deleteNamespace({ name }),
      ),
    );

    const { plan, outputs } = await runner.apply(run);
    // namespace, quota, limit range, service account, role, role binding: per environment
    expect(plan).toMatchObject({ add: 12, change: 0, destroy: 0 });
    expect(outputs).toEqual({
      namespaces: { value: namespaces, sensitive: false },
      service_account: { value: service, sensitive: false },
    });

    const can = async (namespace: string, verb: string, resource: string) =>
      (
        await authorization.createSubjectAccessReview({
          body: {
            spec: {
              user: `system:serviceaccount:${namespace}:${service}`,
              groups: [
                'system:serviceaccounts',
                `system:serviceaccounts:${namespace}`,
              ],
              resourceAttributes: { namespace, verb, resource },
            },
          },
        })
      ).status?.allowed;

    for (const [environment, namespace] of Object.entries(namespaces)) {
      const created = await core.readNamespace({ name: namespace });
      expect(created.metadata?.labels).toMatchObject({
        'app.kubernetes.io/part-of': service,
        'paved.dev/environment': environment,
        'paved.dev/owner': 'group-default-storefront-team',
      });
      const quota = await core.readNamespacedResourceQuota({
        name: 'paved-quota',
        namespace,
      });
      expect(quota.spec?.hard).toMatchObject({
        'requests.cpu': '1',
        'requests.memory': '2Gi',
        'limits.cpu': '2',
        'limits.memory': '4Gi',
        pods: '10',
      });
      const account = await core.readNamespacedServiceAccount({
        name: service,
        namespace,
      });
      expect(account.metadata?.labels?.['app.kubernetes.io/part-of']).toBe(
        service,
      );
      const binding = await rbac.readNamespacedRoleBinding({
        name: `${service}-read`,
        namespace,
      });
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: `${service}-read`,
      });
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: service, namespace },
      ]);
      // What the apiserver's RBAC makes of it.
      expect(await can(namespace, 'get', 'secrets')).toBe(true);
      expect(await can(namespace, 'list', 'configmaps')).toBe(true);
      expect(await can(namespace, 'watch', 'pods')).toBe(true);
      expect(await can(namespace, 'create', 'pods')).toBe(false);
      expect(await can(namespace, 'delete', 'secrets')).toBe(false);
      expect(await can('default', 'get', 'secrets')).toBe(false);
    }

    const again = await runner.apply(run);
    expect(again.plan).toEqual({ add: 0, change: 0, destroy: 0, changes: [] });

    const destroyed = await runner.destroy(run);
    expect(destroyed.plan).toMatchObject({ add: 0, change: 0, destroy: 12 });
    for (const namespace of Object.values(namespaces)) {
      await expect(
        core.readNamespace({ name: namespace }),
      ).rejects.toMatchObject({ code: 404 });
    }
    expect(await runner.outputs(run)).toBeUndefined();
    expectCleanLogs();
  }, 300_000);

  it('vault-secret: the secret and a policy that reads it and nothing else', async () => {
    const secretPath = `${sandbox.vaultPath}/payments/api`;
    const sibling = `${sandbox.vaultPath}/payments/other`;
    const policy = `paved-test-${sandbox.id}-payments`;
    const data = { API_KEY: `key-${sandbox.id}-never-logged`, REGION: 'eu' };
    const run = moduleRun('vault-secret', `payments-${sandbox.id}`, {
      path: secretPath,
      data,
      policy_name: policy,
    });
    leftovers.push(() => vault.deletePolicy(policy));

    const { plan, outputs } = await runner.apply(run);
    expect(plan.changes).toEqual([
      { address: 'vault_kv_secret_v2.this', action: 'create' },
      { address: 'vault_policy.read', action: 'create' },
    ]);
    expect(outputs).toEqual({
      mount: { value: 'secret', sensitive: false },
      path: { value: secretPath, sensitive: false },
      policy_name: { value: policy, sensitive: false },
    });

    const kv = vault.kv('secret', 2);
    expect((await kv.read(secretPath))?.data).toEqual(data);
    await kv.write(sibling, { API_KEY: 'other' });
    const { token } = await vault.createToken({
      policies: [policy],
      ttl: '5m',
      noDefaultPolicy: true,
    });
    const reader = vault.withToken(token).kv('secret', 2);
    expect((await reader.read(secretPath))?.data).toEqual(data);
    await expect(reader.read(sibling)).rejects.toThrow(NotAllowedError);
    await expect(
      reader.write(secretPath, { API_KEY: 'overwritten' }),
    ).rejects.toThrow(NotAllowedError);
    expect(logs.join('\n')).not.toContain(data.API_KEY);

    expect((await runner.apply(run)).plan.changes).toEqual([]);

    const destroyed = await runner.destroy(run);
    expect(destroyed.plan.destroy).toBe(2);
    expect(await kv.read(secretPath)).toBeUndefined();
    expect(await kv.list(`${sandbox.vaultPath}/payments`)).toEqual(['other']);
    expect(await vault.readPolicy(policy)).toBeUndefined();
    expectCleanLogs(data.API_KEY);
  }, 180_000);

  it('postgres-database: an owned database whose credentials in Vault log in', async () => {
    const service = `orders-${sandbox.id}`;
    const database = `${sandbox.database.name}_orders`;
    const username = `${database}_owner`;
    const vaultPath = `${sandbox.vaultPath}/orders/database`;
    const postgres = new URL(sandbox.platform.postgresUrl);
    const run = moduleRun('postgres-database', service, {
      service,
      database_name: database,
      host: postgres.hostname,
      port: Number(postgres.port),
      vault_path: vaultPath,
      size: 'medium',
    });
    leftovers.push(
      () => vault.deletePolicy(`${service}-database-read`),
      () =>
        withPostgres(sandbox.platform.postgresUrl, async client => {
          await client.query(
            `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`,
          );
          await client.query(`DROP ROLE IF EXISTS "${username}"`);
        }),
    );

    const { plan, outputs } = await runner.apply(run);
    expect(plan.changes.map(c => c.address).sort()).toEqual([
      'module.credentials.vault_kv_secret_v2.this',
      'module.credentials.vault_policy.read',
      'postgresql_database.this',
      'postgresql_role.owner',
      'random_password.this',
    ]);
    expect(plan).toMatchObject({ add: 5, change: 0, destroy: 0 });
    expect(outputs).toEqual({
      database: { value: database, sensitive: false },
      username: { value: username, sensitive: false },
      vault_path: { value: vaultPath, sensitive: false },
      policy_name: { value: `${service}-database-read`, sensitive: false },
      connection_limit: { value: 25, sensitive: false },
      password: {
        value: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
        sensitive: true,
      },
    });
    const password = outputs.password.value as string;

    // Read the credentials as the service would: with a token holding only the module's policy.
    const { token } = await vault.createToken({
      policies: [`${service}-database-read`],
      ttl: '5m',
      noDefaultPolicy: true,
    });
    const credentials = (
      await vault.withToken(token).kv('secret', 2).read(vaultPath)
    )?.data;
    expect(credentials).toEqual({
      username,
      password,
      host: postgres.hostname,
      port: postgres.port,
      database,
      url: `postgresql://${username}:${password}@${postgres.hostname}:${postgres.port}/${database}`,
    });
    await expect(
      vault
        .withToken(token)
        .kv('secret', 2)
        .read(`${sandbox.vaultPath}/orders/other`),
    ).rejects.toThrow(NotAllowedError);

    const session = await withPostgres(credentials!.url, async client => {
      await client.query('CREATE TABLE orders (id serial PRIMARY KEY)');
      return (
        await client.query(
          'SELECT current_user, current_database(), pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
        )
      ).rows[0];
    });
    expect(session).toEqual({
      current_user: username,
      current_database: database,
      owner: username,
    });
    // The local PostgreSQL trusts loopback logins, so check the password is really set.
    const role = await withPostgres(
      sandbox.platform.postgresUrl,
      async client =>
        (
          await client.query(
            `SELECT rolcanlogin, rolsuper, rolpassword IS NOT NULL AS has_password, rolconnlimit,
               (SELECT datconnlimit FROM pg_database WHERE datname = $2) AS datconnlimit
             FROM pg_authid WHERE rolname = $1`,
            [username, database],
          )
        ).rows[0],
    );
    // size medium: 25 connections, on the role and on the database.
    expect(role).toEqual({
      rolcanlogin: true,
      rolsuper: false,
      has_password: true,
      rolconnlimit: 25,
      datconnlimit: 25,
    });
    for (const line of logs) expect(line).not.toContain(password);

    const destroyed = await runner.destroy(run);
    expect(destroyed.plan.destroy).toBe(5);
    const remaining = await withPostgres(
      sandbox.platform.postgresUrl,
      async client => ({
        databases: (
          await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
            database,
          ])
        ).rows.length,
        roles: (
          await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
            username,
          ])
        ).rows.length,
      }),
    );
    expect(remaining).toEqual({ databases: 0, roles: 0 });
    expect(await vault.kv('secret', 2).read(vaultPath)).toBeUndefined();
    expect(await vault.readPolicy(`${service}-database-read`)).toBeUndefined();
    expectCleanLogs(password);
    expect(await readdir(workDir)).toEqual([]);
  }, 180_000);
});
