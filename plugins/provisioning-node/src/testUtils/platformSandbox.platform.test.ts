import { CoreV1Api } from '@kubernetes/client-node';
import { Client } from 'pg';
import { createPlatformSandbox } from './platformSandbox';

describe('createPlatformSandbox', () => {
  it('gives a test its own namespace, Vault path and database, and removes them all', async () => {
    const sandbox = await createPlatformSandbox();
    const { address, token } = sandbox.platform.vault;
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const other = await createPlatformSandbox();
    expect(other.namespace).not.toBe(sandbox.namespace);
    expect(other.vaultPath).not.toBe(sandbox.vaultPath);
    expect(other.database.name).not.toBe(sandbox.database.name);
    await other.cleanup();

    const namespace = await core.readNamespace({ name: sandbox.namespace });
    expect(namespace.status?.phase).toBe('Active');
    for (const secret of ['a', 'nested/b']) {
      const written = await fetch(
        `${address}/v1/secret/data/${sandbox.vaultPath}/${secret}`,
        {
          method: 'POST',
          headers: { 'X-Vault-Token': token },
          body: JSON.stringify({ data: { value: secret } }),
        },
      );
      expect(written.status).toBe(200);
    }
    const db = new Client({ connectionString: sandbox.database.url });
    await db.connect();
    expect(
      (await db.query('SELECT current_database()')).rows[0].current_database,
    ).toBe(sandbox.database.name);
    await db.end();

    await sandbox.cleanup();

    const gone = await core.readNamespace({ name: sandbox.namespace });
    expect(gone.status?.phase).toBe('Terminating');
    const listed = await fetch(
      `${address}/v1/secret/metadata/${sandbox.vaultPath}`,
      {
        method: 'LIST',
        headers: { 'X-Vault-Token': token },
      },
    );
    expect(listed.status).toBe(404);
    const admin = new Client({
      connectionString: sandbox.platform.postgresUrl,
    });
    await admin.connect();
    const databases = await admin.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [sandbox.database.name],
    );
    await admin.end();
    expect(databases.rows).toHaveLength(0);
  });
});
