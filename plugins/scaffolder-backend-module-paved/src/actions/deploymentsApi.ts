import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * The deployments API (deployments-backend, `/api/deployments`) as the
 * golden path's actions call it: JSON in and out, a backend error answer
 * thrown as a ResponseError (its `statusCode` and `body.error.name` tell
 * errors apart).
 */
export interface DeploymentsApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
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
  async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const [baseUrl, { token }] = await Promise.all([
      discovery.getBaseUrl('deployments'),
      options.credentials().then(onBehalfOf =>
        auth.getPluginRequestToken({
          onBehalfOf,
          targetPluginId: 'deployments',
        }),
      ),
    ]);
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        ...init.headers,
        authorization: `Bearer ${token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      signal,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
  return {
    get: path => call(path),
    post: (path, body) =>
      call(path, { method: 'POST', body: JSON.stringify(body) }),
  };
}
