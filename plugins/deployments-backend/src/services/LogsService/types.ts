import { LogLine, Pod } from '@paved/plugin-deployments-common';
import { Caller } from '../DeploymentService';

/** Which lines {@link LogsService.stream} reads (the logs API's query). */
export interface LogsRequest {
  pod?: string;
  container?: string;
  /** A duration (`1h`) or a time (ISO 8601); see parseSince. */
  since?: string;
  tailLines?: number;
  follow?: boolean;
}

/** A golden-path service's pods and container logs per environment; the caller must be able to read the entity. */
export interface LogsService {
  listPods(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<Pod[]>;
  /**
   * Checks the request (400 for an unknown environment or a bad `since`, 404 for a pod
   * or container not the service's) and returns a function that reads the lines, calling
   * `onLine` for each, until the logs end or `signal` aborts. Nothing is read before
   * the checks pass, so the router can still answer with an error.
   */
  open(
    entityRef: string,
    environment: string,
    request: LogsRequest,
    caller: Caller,
  ): Promise<
    (onLine: (line: LogLine) => void, signal: AbortSignal) => Promise<void>
  >;
}
