export { loadLocalPlatform } from './localPlatform';
export type { LocalPlatform } from './localPlatform';
export { createPlatformSandbox } from './platformSandbox';
export type { PlatformSandbox } from './platformSandbox';
