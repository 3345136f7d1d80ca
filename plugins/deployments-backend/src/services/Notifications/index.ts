export {
  BackstageDeploymentNotifier,
  deploymentsLinkOf,
} from './DeploymentNotifier';
export type { DeploymentNotifier } from './DeploymentNotifier';
