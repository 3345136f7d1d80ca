export {
  DEFAULT_STALE_LOCK_MS,
  KnexDeploymentStore,
} from './KnexDeploymentStore';
export type { KnexDeploymentStoreOptions } from './KnexDeploymentStore';
export type {
  DeploymentOutcome,
  DeploymentStore,
  StoredDeployment,
} from './DeploymentStore';
export { DeploymentInProgressError } from './errors';
