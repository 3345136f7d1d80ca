export { deploymentsApiRef } from './DeploymentsApi';
export type {
  DeploymentsApi,
  DeployRequest,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
} from './DeploymentsApi';
export { DeploymentsClient } from './DeploymentsClient';
