/**
 * Shared by the deployments frontend and backend: records, the image
 * reference rule, and permissions.
 *
 * @packageDocumentation
 */
export * from './types';
export { validateImageReference } from './image';
export type { ImageReference, ImageValidation } from './image';
export * from './permissions';
