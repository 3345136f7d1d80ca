export { VaultClient } from './VaultClient';
export type {
  CreatedToken,
  Kv2Engine,
  KvEngine,
  KvMetadata,
  KvVersion,
  SecretData,
} from './types';
