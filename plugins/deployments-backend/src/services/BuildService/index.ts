export { DefaultBuildService } from './DefaultBuildService';
export type { DefaultBuildServiceOptions } from './DefaultBuildService';
export type * from './types';
