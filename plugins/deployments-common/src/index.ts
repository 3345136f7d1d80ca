/**
 * Shared by the deployments frontend and backend: records (deployments and
 * builds), the image reference rule, and permissions.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './schema';
export * from './builds';
export * from './secrets';
export * from './logs';
export * from './alerts';
export { validateImageReference } from './image';
export type { ImageReference, ImageValidation } from './image';
export * from './permissions';
export { DEFAULT_PLATFORM_TEAM, readPlatformTeam } from './platformTeam';
export { DEPLOYMENT_IN_PROGRESS_ERROR } from './errors';
export * from './monitoring';
