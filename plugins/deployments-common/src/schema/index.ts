/**
 * The deployments API's contract, generated from
 * plugins/deployments-backend/src/schema/openapi.yaml: a type per schema
 * (`Schemas.Deployment`), and per operation its method, path, parameters,
 * body and answer (`Operations['CreateDeployment']`).
 */
import type * as Schemas from './openapi/generated';

export type { Schemas };
export type { EndpointMap, OperationId, Operations } from './openapi/generated';
export { OPERATIONS } from './openapi/generated';
export { deploymentsRequest } from './request';
export type { DeploymentsRequest, RequestOptions } from './request';
