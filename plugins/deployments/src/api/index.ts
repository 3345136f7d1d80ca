export { deploymentsApiRef } from './DeploymentsApi';
export type {
  DeploymentsApi,
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
} from './DeploymentsApi';
export { DeploymentsClient } from './DeploymentsClient';
