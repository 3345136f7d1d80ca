/**
 * The deployments backend plugin: deploy, promote with approval, roll back,
 * environments view and audit, for services made by the golden path.
 *
 * @packageDocumentation
 */
export { deploymentsPlugin as default } from './plugin';
export { DefaultDeploymentService } from './services/DeploymentService';
export type {
  DefaultDeploymentServiceOptions,
  DeploymentService,
} from './services/DeploymentService';
export { DefaultBuildService } from './services/BuildService';
export type {
  BuildService,
  DefaultBuildServiceOptions,
} from './services/BuildService';
export { KnexBuildStore } from './services/BuildStore';
export type { BuildStore } from './services/BuildStore';
