export { DefaultDeploymentService } from './DefaultDeploymentService';
export type { DefaultDeploymentServiceOptions } from './DefaultDeploymentService';
export type * from './types';
