/**
 * Client and URL reader for Paved's local git remote, the forge that
 * "Create Service" publishes to when no hosted forge is configured.
 *
 * @packageDocumentation
 */
export { GitRemoteClient } from './GitRemoteClient';
export type { GitRemoteLocation, GitRemoteRepository } from './GitRemoteClient';
export { GitRemoteUrlReader } from './GitRemoteUrlReader';
export { gitRemoteUrlReaderFactory } from './urlReader';
