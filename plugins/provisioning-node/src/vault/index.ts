export { VaultClient } from './VaultClient';
export type { CreatedToken, KvEngine, SecretData } from './types';
