export { loadLocalPlatform } from './localPlatform';
export type { LocalPlatform } from './localPlatform';
export { createPlatformSandbox, withPostgres } from './platformSandbox';
export type { PlatformSandbox } from './platformSandbox';
export { unreachableKubeConfig } from './unreachableKubeConfig';
