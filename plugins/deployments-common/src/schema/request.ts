import { OPERATIONS, OperationId, Operations } from './openapi/generated';

type ParamsOf<K extends OperationId> = Operations[K] extends {
  params: infer P;
}
  ? { params: P }
  : { params?: undefined };
type QueryOf<K extends OperationId> = Operations[K] extends { query: infer Q }
  ? { query?: Q }
  : { query?: undefined };
type BodyOf<K extends OperationId> = Operations[K] extends { body: infer B }
  ? { body: B }
  : { body?: undefined };

/** What an operation takes: its path parameters, query and body, as the spec types them. */
export type RequestOptions<K extends OperationId> = ParamsOf<K> &
  QueryOf<K> &
  BodyOf<K>;

/** An HTTP request of the deployments API, relative to its base URL (`/api/deployments`). */
export interface DeploymentsRequest {
  method: string;
  /** The path and query, e.g. `/entities/component/default/orders/builds?limit=5`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request of one operation of the deployments API, built from what the
 * spec types: each client (the frontend's, the scaffolder module's, the demo
 * seeder) sends it with its own fetch and credentials, and reads the answer
 * as `Operations[K]['response']`.
 */
export function deploymentsRequest<K extends OperationId>(
  operationId: K,
  options: RequestOptions<K>,
): DeploymentsRequest {
  const { method, path } = OPERATIONS[operationId];
  const params = (options.params ?? {}) as Record<string, string>;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(
    (options.query ?? {}) as Record<string, unknown>,
  )) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return {
    method,
    path: `${path.replace(/\{(\w+)\}/g, (_, name) =>
      encodeURIComponent(params[name]),
    )}${query ? `?${query}` : ''}`,
    headers:
      options.body === undefined ? {} : { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  };
}
