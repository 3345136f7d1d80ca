// A service's secrets per environment, as the API shows them: names,
// versions, who changed them and when; never a value.

/** Where a key comes from: the environment's own secret, or one the service shares across environments (Create Service's, the database module's). */
export type SecretSource = 'environment' | 'service';

/** One key of the Kubernetes Secret a service gets in an environment. */
export interface SecretKey {
  /** The environment variable name, e.g. `STRIPE_API_KEY`. */
  key: string;
  source: SecretSource;
  /** Vault path holding it, e.g. `secret/services/orders/env/staging`. */
  vaultPath: string;
  /** The KV version of that path in which the key last changed. */
  version: number;
  /** ISO 8601, when it last changed. */
  updatedAt?: string;
  /** Who changed it; absent when it was written outside Paved's secrets API (Create Service, OpenTofu, the vault CLI). */
  updatedBy?: string;
  /** Paved generates its value, so `rotate` renews it. */
  generated: boolean;
  /** Overridden by the environment's own key of that name (a service-wide key only). */
  overridden?: boolean;
}

/** `GET .../environments/:environment/secrets`. */
export interface SecretList {
  environment: string;
  /** The environment's own secret in Vault, e.g. `secret/services/orders/env/staging`. */
  vaultPath: string;
  /** Its current KV version; absent until a key is set. */
  version?: number;
  items: SecretKey[];
}

/** How a change affects one key. */
export interface SecretKeyChange {
  key: string;
  change: 'added' | 'changed' | 'removed';
}

/** What a secret change, rollback or rotation did (or, on a dry run, would do). */
export interface SecretChangeResult {
  dryRun: boolean;
  environment: string;
  changes: SecretKeyChange[];
  /** The Deployments restarted (or that would restart) to pick the change up. */
  restarts: Array<{ namespace: string; name: string }>;
  /** The environment secret's KV version before the change. */
  previousVersion?: number;
  /** The KV version written; absent on a dry run. */
  version?: number;
  /** The deployment that restarts the service; its rollout is watched like a deploy's. */
  deploymentId?: string;
}

/** `POST .../environments/:environment/secrets`: set and unset keys in one new version. */
export interface SecretChangeRequest {
  set?: Record<string, string>;
  unset?: string[];
  dryRun?: boolean;
}

/** `POST .../environments/:environment/secrets/rollback`: back to an earlier version (default: the one before the current one). */
export interface SecretRollbackRequest {
  toVersion?: number;
  dryRun?: boolean;
}

/** `POST .../environments/:environment/secrets/rotate`: new values for generated keys (default: all of them). */
export interface SecretRotateRequest {
  keys?: string[];
  dryRun?: boolean;
}

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
