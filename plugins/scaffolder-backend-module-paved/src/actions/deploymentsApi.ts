import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  deploymentsRequest,
  OperationId,
  Operations,
  RequestOptions,
} from '@paved/plugin-deployments-common';

/**
 * The deployments API (deployments-backend, `/api/deployments`) as the
 * golden path's actions call it: an operation of its openapi.yaml, with the
 * spec's generated types in and out; a backend error answer thrown as a
 * ResponseError (its `statusCode` and `body.error.name` tell errors apart).
 */
export interface DeploymentsApi {
  call<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
  ): Promise<Operations[K]['response']>;
}

/**
 * A deployments API client whose every call carries a token for
 * `credentials` (the initiating user's, or this plugin's own), found through
 * discovery.
 */
export function deploymentsApi(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Whom the calls are on behalf of; asked for at each call. */
  credentials: () => Promise<BackstageCredentials>;
  signal?: AbortSignal;
}): DeploymentsApi {
  const { discovery, auth, signal } = options;
  return {
    async call(operationId, callOptions) {
      const request = deploymentsRequest(operationId, callOptions);
      const [baseUrl, { token }] = await Promise.all([
        discovery.getBaseUrl('deployments'),
        options.credentials().then(onBehalfOf =>
          auth.getPluginRequestToken({
            onBehalfOf,
            targetPluginId: 'deployments',
          }),
        ),
      ]);
      const response = await fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: { ...request.headers, authorization: `Bearer ${token}` },
        body: request.body,
        signal,
      });
      if (!response.ok) throw await ResponseError.fromResponse(response);
      return await response.json();
    },
  };
}
