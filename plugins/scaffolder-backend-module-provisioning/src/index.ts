/**
 * Scaffolder actions that provision a service's infrastructure: OpenTofu
 * modules, Kubernetes objects and Vault secrets.
 *
 * @packageDocumentation
 */
export { scaffolderModuleProvisioning as default } from './module';
export { createResolveEnvironmentsAction } from './actions/resolveEnvironments';
export { createTofuApplyAction } from './actions/tofuApply';
export { createVaultWriteAction } from './actions/vaultWrite';
export { createKubernetesApplyAction } from './actions/kubernetesApply';
