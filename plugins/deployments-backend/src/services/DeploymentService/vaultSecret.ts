import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  DatabaseAddress,
  parseVaultPath,
  secretFromVault,
  VaultClient,
} from '@paved/plugin-provisioning-node';

export const VAULT_PATH_ANNOTATION = 'paved.dev/vault-path';
/** On the Secret and the pod template: the Vault versions the Secret holds; a change restarts the pods. */
export const SECRET_VERSIONS_ANNOTATION = 'paved.dev/vault-versions';

/** The entity's `paved.dev/vault-path` as mount and path; undefined without one, a 400 when malformed. */
export function vaultPathOf(
  entity: Entity,
): { mount: string; path: string } | undefined {
  const vaultPath = entity.metadata.annotations?.[VAULT_PATH_ANNOTATION];
  if (!vaultPath) return undefined;
  const source = parseVaultPath(vaultPath);
  if (!source) {
    throw new InputError(
      `${VAULT_PATH_ANNOTATION} "${vaultPath}" of ${stringifyEntityRef(
        entity,
      )} is not <mount>/<path>`,
    );
  }
  return source;
}

/**
 * Where an environment's own secret is: `<path>/env/<environment>` below the
 * service's path. A sub-path, so the service-wide leaves Create Service
 * writes (`app`, `database`) stay the only ones directly below it.
 */
export const environmentSecretPath = (path: string, environment: string) =>
  `${path}/env/${environment}`;

/**
 * The `<workload>-secrets` Secret of one environment: the service's leaves
 * below its `paved.dev/vault-path` (keys `<LEAF>_<KEY>`), overlaid by the
 * environment's own secret (keys as they are), and what to say about it;
 * nothing for an entity without a Vault path. The Secret holds `data`, not
 * `stringData`, so a key unset in Vault leaves it at the next apply.
 * `database`, where the environment's cluster's pods reach the database server,
 * replaces the host and port of DATABASE_HOST, DATABASE_PORT and DATABASE_URL
 * (Vault holds one address for the service; each cluster's node has its own).
 */
export async function secretFromEntity(
  vault: VaultClient,
  entity: Entity,
  workload: string,
  environment: string,
  database?: DatabaseAddress,
): Promise<{ object?: KubernetesObject; note?: string; versions?: string }> {
  const source = vaultPathOf(entity);
  if (!source) return {};
  const vaultPath = `${source.mount}/${source.path}`;
  const name = `${workload}-secrets`;
  const ownPath = environmentSecretPath(source.path, environment);
  const [shared, own] = await Promise.all([
    secretFromVault(vault, { name, ...source }).catch(error => {
      // Told apart by name: a NotFoundError from another copy of @backstage/errors is one too.
      if ((error as Error)?.name === 'NotFoundError') return undefined;
      throw error;
    }),
    vault.kv2(source.mount).readVersion(ownPath),
  ]);
  if (!shared && !own) {
    return {
      note: `Vault ${vaultPath} holds no secrets, Secret ${name} left as it was`,
    };
  }
  const values = withDatabaseAddress(
    {
      ...((shared?.secret as { stringData?: Record<string, string> })
        ?.stringData ?? {}),
      ...(own?.data ?? {}),
    },
    database,
  );
  const versions = [
    (shared?.secret.metadata?.annotations ?? {})[SECRET_VERSIONS_ANNOTATION],
    own ? `env/${environment}=${own.version}` : undefined,
  ]
    .filter(Boolean)
    .join(',');
  const keys = Object.keys(values).sort();
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        annotations: {
          [VAULT_PATH_ANNOTATION]: vaultPath,
          [SECRET_VERSIONS_ANNOTATION]: versions,
        },
      },
      type: 'Opaque',
      data: Object.fromEntries(
        keys.map(key => [key, Buffer.from(values[key]).toString('base64')]),
      ),
    } as KubernetesObject,
    versions,
    note: `Secret ${name} refreshed from Vault ${vaultPath}${
      own ? ` and ${source.mount}/${ownPath}` : ''
    } (keys ${keys.join(', ')})`,
  };
}

/**
 * `values` with DATABASE_HOST, DATABASE_PORT and DATABASE_URL's host and port
 * set to `address` (those present; the rest as they are).
 */
export function withDatabaseAddress(
  values: Record<string, string>,
  address?: DatabaseAddress,
): Record<string, string> {
  if (!address) return values;
  const next = { ...values };
  if (next.DATABASE_HOST !== undefined) next.DATABASE_HOST = address.host;
  if (next.DATABASE_PORT !== undefined) {
    next.DATABASE_PORT = String(address.port);
  }
  if (next.DATABASE_URL) {
    try {
      const url = new URL(next.DATABASE_URL);
      if (url.hostname) {
        url.hostname = address.host;
        url.port = String(address.port);
        next.DATABASE_URL = url.toString();
      }
    } catch {
      // Not a URL: left as Vault holds it.
    }
  }
  return next;
}
