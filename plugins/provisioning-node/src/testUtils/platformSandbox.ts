import { CoreV1Api, KubeConfig, V1Status } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { KvEngine, VaultClient } from '../vault';
import { LocalPlatform, loadLocalPlatform } from './localPlatform';

/**
 * A test's own corner of the local platform: a Kubernetes namespace, a Vault
 * KV v2 path under `secret/`, and a PostgreSQL database, all named after one
 * random id, and removed again by `cleanup()`.
 */
export interface PlatformSandbox {
  id: string;
  platform: LocalPlatform;
  kubeConfig: KubeConfig;
  namespace: string;
  /** KV v2 path (below the `secret/` mount) that the test may write under. */
  vaultPath: string;
  database: { name: string; url: string };
  cleanup(): Promise<void>;
}

/** Every secret below a KV v2 path. */
async function listSecrets(kv: KvEngine, prefix: string): Promise<string[]> {
  const keys = await kv.list(prefix);
  const nested = await Promise.all(
    keys.map(key =>
      key.endsWith('/')
        ? listSecrets(kv, `${prefix}/${key.slice(0, -1)}`)
        : [`${prefix}/${key}`],
    ),
  );
  return nested.flat();
}

/** Runs `fn` with a connected client, and always disconnects. */
export async function withPostgres<T>(
  url: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createPlatformSandbox(
  platform: LocalPlatform = loadLocalPlatform(),
): Promise<PlatformSandbox> {
  const id = `t${randomBytes(4).toString('hex')}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(platform.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);

  const namespace = `paved-${id}`;
  await core.createNamespace({
    body: {
      metadata: { name: namespace, labels: { 'paved.dev/test-sandbox': id } },
    },
  });
  const databaseName = `paved_${id}`;
  await withPostgres(platform.postgresUrl, client =>
    client.query(`CREATE DATABASE "${databaseName}"`),
  );
  const databaseUrl = new URL(platform.postgresUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const vaultPath = `tests/${id}`;

  return {
    id,
    platform,
    kubeConfig,
    namespace,
    vaultPath,
    database: { name: databaseName, url: databaseUrl.toString() },
    async cleanup() {
      await core
        .deleteNamespace({ name: namespace })
        .catch((error: { code?: number }) => {
          if (error.code !== 404) throw error;
          return {} as V1Status;
        });
      const kv = new VaultClient(platform.vault).kv('secret', 2);
      for (const secret of await listSecrets(kv, vaultPath)) {
        await kv.delete(secret);
      }
      await withPostgres(platform.postgresUrl, client =>
        client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`),
      );
    },
  };
}
