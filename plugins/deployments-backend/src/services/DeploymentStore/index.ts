export { DeploymentStore } from './DeploymentStore';
export type { StoredDeployment } from './DeploymentStore';
