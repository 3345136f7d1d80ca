import type { Schemas } from './schema';

// The logs API's types (ListPods, ReadLogs in openapi.yaml).

/** A pod of a service's Deployment in an environment. */
export type Pod = Schemas.Pod;

/** One line of the logs API's NDJSON answer. */
export type LogLine = Schemas.LogLine;

/** The NDJSON line that ends a logs answer that failed after it started. */
export type LogStreamError = Schemas.ErrorBody;
