import { NotFoundError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { VaultClient } from '../vault';

/** `database` + `url` → `DATABASE_URL`: how a secret's keys become environment variables. */
const envName = (secret: string, key: string) =>
  `${secret}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** Where a Kubernetes Secret's values come from in Vault (KV v2). */
export interface VaultSecretSource {
  /** Name of the Kubernetes Secret. */
  name: string;
  /** KV v2 mount, e.g. `secret`. */
  mount: string;
  /** Path below the mount, e.g. `services/orders-api`. */
  path: string;
}

/**
 * A Kubernetes Secret holding every secret below a KV v2 path, keys named
 * `<SECRET>_<KEY>`. Annotated with the path and versions it came from, never
 * with values. Throws NotFoundError when the path holds no secrets.
 */
export async function secretFromVault(
  vault: VaultClient,
  source: VaultSecretSource,
): Promise<{ secret: KubernetesObject; keys: string[] }> {
  const kv = vault.kv(source.mount, 2);
  const leaves = (await kv.list(source.path)).filter(key => !key.endsWith('/'));
  if (!leaves.length) {
    throw new NotFoundError(
      `secretFromVault: no secrets below ${source.mount}/${source.path}; write them first (paved:vault:write or the postgres-database module)`,
    );
  }
  const stringData: Record<string, string> = {};
  const versions: string[] = [];
  for (const leaf of leaves.sort()) {
    const secret = await kv.read(`${source.path}/${leaf}`);
    if (!secret) continue;
    versions.push(`${leaf}=${secret.version}`);
    for (const [key, value] of Object.entries(secret.data)) {
      stringData[envName(leaf, key)] = value;
    }
  }
  return {
    keys: Object.keys(stringData).sort(),
    secret: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: source.name,
        annotations: {
          'paved.dev/vault-path': `${source.mount}/${source.path}`,
          'paved.dev/vault-versions': versions.join(','),
        },
      },
      type: 'Opaque',
      stringData,
    } as KubernetesObject,
  };
}

/**
 * The mount and path of a `paved.dev/vault-path` annotation value such as
 * `secret/services/orders-api` (mount `secret`, path `services/orders-api`).
 */
export function parseVaultPath(
  value: string,
): { mount: string; path: string } | undefined {
  const match = /^([^/]+)\/(.+?)\/*$/.exec(value.trim());
  return match ? { mount: match[1], path: match[2] } : undefined;
}
