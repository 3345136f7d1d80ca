/**
 * Paved's permission policy: the `paved.deployment.*` permissions go to an
 * entity's owners and the platform team.
 *
 * @packageDocumentation
 */
export { permissionModulePavedPolicy as default } from './module';
export { PavedPermissionPolicy, PLATFORM_TEAM } from './PavedPermissionPolicy';
