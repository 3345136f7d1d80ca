export { deploymentsApiRef } from './DeploymentsApi';
export type {
  DeploymentsApi,
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  ReadLogsOptions,
  RollbackRequest,
} from './DeploymentsApi';
export { DeploymentsClient } from './DeploymentsClient';
export { LogStreamFailedError, NdjsonLines } from './ndjson';
