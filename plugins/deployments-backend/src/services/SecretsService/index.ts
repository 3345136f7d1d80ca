export { DefaultSecretsService } from './DefaultSecretsService';
export type { DefaultSecretsServiceOptions } from './DefaultSecretsService';
export { VaultEnvironmentSecrets } from './environmentSecrets';
export type { SecretPlan } from './environmentSecrets';
export { GENERATED_KEYS } from './rules';
export type { SecretChange } from './rules';
export type { SecretsService } from './types';
export {
  DATABASE_PASSWORD_KEY,
  nextDatabaseLogin,
  PostgresDatabaseLogins,
} from './databaseLogins';
export type { DatabaseLogins } from './databaseLogins';
