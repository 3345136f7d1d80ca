export { parseVaultPath, secretFromVault } from './secretFromVault';
export type { VaultSecretSource } from './secretFromVault';
