import type { Schemas } from './schema';

// A service's secrets per environment, as the API shows them: names,
// versions, who changed them and when; never a value. The records and
// requests are the generated types of
// plugins/deployments-backend/src/schema/openapi.yaml (docs/decisions/0014),
// under the names the code uses.

/** One key of the Kubernetes Secret a service gets in an environment. */
export type SecretKey = Schemas.SecretKey;

/** Where a key comes from: the environment's own secret, or one the service shares across environments (Create Service's, the database module's). */
export type SecretSource = SecretKey['source'];

/** `GET .../environments/:environment/secrets`. */
export type SecretList = Schemas.SecretList;

/** How a change affects one key. */
export type SecretKeyChange = Schemas.SecretKeyChange;

/** What a secret change, rollback or rotation did (or, on a dry run, would do). */
export type SecretChangeResult = Schemas.SecretChangeResult;

/** `POST .../environments/:environment/secrets`: set and unset keys in one new version. */
export type SecretChangeRequest = Schemas.SecretChangeRequest;

/** `POST .../environments/:environment/secrets/rollback`: back to an earlier version (default: the one before the current one). */
export type SecretRollbackRequest = Schemas.SecretRollbackRequest;

/** `POST .../environments/:environment/secrets/rotate`: new values for generated keys (default: all of them). */
export type SecretRotateRequest = Schemas.SecretRotateRequest;

/** The longest value accepted, in bytes (UTF-8): 64 KiB. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;
/** Keys per environment secret (Vault keeps at most 64 custom metadata entries, one per key). */
export const MAX_ENVIRONMENT_SECRET_KEYS = 64;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a key can't be an environment variable name, or undefined when it can. */
export function secretKeyProblem(key: string): string | undefined {
  if (!key)
    return 'is empty; name it like an environment variable, e.g. API_TOKEN';
  if (key.length > 128) return 'is longer than 128 characters; shorten it';
  if (!ENV_NAME.test(key)) {
    return 'is not a valid environment variable name: use letters, digits and "_", not starting with a digit (e.g. API_TOKEN)';
  }
  return undefined;
}

/** Why a value can't be stored, or undefined when it can. Never quotes the value. */
export function secretValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty; give a value, or unset the key';
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    return `is ${bytes} bytes; values may have at most ${MAX_SECRET_VALUE_BYTES} bytes (64 KiB)`;
  }
  return undefined;
}
