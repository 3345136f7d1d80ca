import { CoreV1Api, KubeConfig, V1Status } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
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

async function vault(
  platform: LocalPlatform,
  method: string,
  apiPath: string,
): Promise<Response> {
  return fetch(`${platform.vault.address}/v1/${apiPath}`, {
    method,
    headers: { 'X-Vault-Token': platform.vault.token },
  });
}

/** Every secret below a KV v2 path, as paths relative to the mount. */
async function listSecrets(
  platform: LocalPlatform,
  prefix: string,
): Promise<string[]> {
  const response = await vault(platform, 'LIST', `secret/metadata/${prefix}`);
  if (response.status === 404) return [];
  if (!response.ok)
    throw new Error(`Vault LIST ${prefix}: HTTP ${response.status}`);
  const keys: string[] = (await response.json()).data.keys;
  const nested = await Promise.all(
    keys.map(key =>
      key.endsWith('/')
        ? listSecrets(platform, `${prefix}/${key.slice(0, -1)}`)
        : [`${prefix}/${key}`],
    ),
  );
  return nested.flat();
}

async function withPostgres<T>(
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
      for (const secret of await listSecrets(platform, vaultPath)) {
        await vault(platform, 'DELETE', `secret/metadata/${secret}`);
      }
      await withPostgres(platform.postgresUrl, client =>
        client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`),
      );
    },
  };
}
