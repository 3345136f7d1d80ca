import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  parseVaultPath,
  secretFromVault,
  VaultClient,
} from '@paved/plugin-provisioning-node';

const VAULT_PATH_ANNOTATION = 'paved.dev/vault-path';

/**
 * The `<workload>-secrets` Secret built from the entity's
 * `paved.dev/vault-path`, and what to say about it; nothing for an entity
 * without one.
 */
export async function secretFromEntity(
  vault: VaultClient,
  entity: Entity,
  workload: string,
): Promise<{ object?: KubernetesObject; note?: string }> {
  const vaultPath = entity.metadata.annotations?.[VAULT_PATH_ANNOTATION];
  if (!vaultPath) return {};
  const source = parseVaultPath(vaultPath);
  if (!source) {
    throw new InputError(
      `${VAULT_PATH_ANNOTATION} "${vaultPath}" of ${stringifyEntityRef(
        entity,
      )} is not <mount>/<path>`,
    );
  }
  const name = `${workload}-secrets`;
  const secret = await secretFromVault(vault, { name, ...source }).catch(
    error => {
      // Told apart by name: a NotFoundError from another copy of @backstage/errors is one too.
      if ((error as Error)?.name === 'NotFoundError') return undefined;
      throw error;
    },
  );
  if (!secret) {
    return {
      note: `Vault ${vaultPath} holds no secrets, Secret ${name} left as it was`,
    };
  }
  return {
    object: secret.secret,
    note: `Secret ${name} refreshed from Vault ${vaultPath} (keys ${secret.keys.join(
      ', ',
    )})`,
  };
}
