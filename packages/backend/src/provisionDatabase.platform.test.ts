import { VaultClient } from '@paved/plugin-provisioning-node';
import {
  freePort,
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  expectDatabaseWiredToStaging,
  removeProvisionedService,
  startGoldenPathBackend,
} from './__testUtils__/createServiceRun';
import {
  backendDatabaseConfig,
  sqliteAndPostgres,
} from './__testUtils__/databaseConfig';
import { platformConfig } from './__testUtils__/helpers';
import { startTestBuilder, TestBuilder } from './__testUtils__/testBuilder';

// "Provision Database" on a service that Create Service made without one: the
// real scaffolder, OpenTofu, PostgreSQL, Vault and kube-apiserver.

const owner = 'group:default/storefront-team';

describe('Provision Database', () => {
  const databases = sqliteAndPostgres();
  const { platform } = platformConfig();
  const vault = new VaultClient(platform.vault);
  const name = `ledger-${randomBytes(3).toString('hex')}`;
  let remote: TestGitRemote;
  let builder: TestBuilder;

  beforeAll(async () => {
    const gitPort = await freePort();
    builder = await startTestBuilder({ gitUrl: `http://127.0.0.1:${gitPort}` });
    remote = await startTestGitRemote({
      builderUrl: builder.url,
      port: gitPort,
    });
  }, 120_000);
  afterAll(async () => {
    await removeProvisionedService(name, owner);
    await remote?.stop();
    await builder?.stop();
  }, 120_000);

  it('adds a database to an existing service and fills its staging Secret from Vault', async () => {
    const [[databaseId]] = databases.eachSupportedId();
    const portal = await startGoldenPathBackend({
      database: await backendDatabaseConfig(databases, databaseId),
      gitRemoteBaseUrl: remote.baseUrl,
      builder,
    });
    const service = await portal.finish(
      (
        await (
          await portal.createTask({
            name,
            owner,
            description: 'Keeps the books balanced',
            language: 'python',
            database: 'none',
            tier: 'experimental',
          })
        ).json()
      ).id,
    );
    expect(service.status).toBe('completed');
    await expect(
      vault.kv('secret', 2).read(`services/${name}/database`),
    ).resolves.toBeUndefined();

    // Only golden-path components can be chosen; the template checks the entity exists.
    const missing = await portal.finish(
      (
        await (
          await portal.createTask(
            { component: 'component:default/no-such-service' },
            'template:default/provision-database',
          )
        ).json()
      ).id,
    );
    expect(missing.status).toBe('failed');
    expect(missing.log).toMatch(/no-such-service/);

    const run = await portal.finish(
      (
        await (
          await portal.createTask(
            { component: `component:default/${name}`, size: 'large' },
            'template:default/provision-database',
          )
        ).json()
      ).id,
    );
    expect(run.log).toContain('Run completed with status: completed');
    expect(run.status).toBe('completed');

    const { credentials, secretKeys } = await expectDatabaseWiredToStaging(
      name,
    );
    expect(secretKeys).toEqual(
      expect.arrayContaining(['APP_SESSION_SECRET', 'DATABASE_URL']),
    );
    expect(run.log).not.toContain(credentials.password);
    // size large: 50 connections on the service's role and on its database.
    const client = new Client({ connectionString: credentials.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT datconnlimit, (SELECT rolconnlimit FROM pg_roles WHERE rolname = $1) AS rolconnlimit
         FROM pg_database WHERE datname = current_database()`,
        [credentials.username],
      );
      expect(rows).toEqual([{ datconnlimit: 50, rolconnlimit: 50 }]);
    } finally {
      await client.end();
    }
  }, 300_000);
});
