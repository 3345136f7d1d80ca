export { loadLocalPlatform } from './localPlatform';
export type { LocalPlatform } from './localPlatform';
export { createPlatformSandbox, withPostgres } from './platformSandbox';
export { pushFixtureImage } from './fixtureImage';
export type { FixtureVariant, PushedFixtureImage } from './fixtureImage';
export type { PlatformSandbox } from './platformSandbox';
export { unreachableKubeConfig } from './unreachableKubeConfig';
export { InMemoryKubernetesClient } from './InMemoryKubernetesClient';
