import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError, ServiceUnavailableError } from '@backstage/errors';
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
 * ResponseError (its `statusCode` and `body.error.name` tell errors apart);
 * no answer at all (the backend restarting, a dropped connection) thrown as a
 * ServiceUnavailableError, after a read (GET) was tried {@link READ_ATTEMPTS}
 * times.
 */
export interface DeploymentsApi {
  call<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
  ): Promise<Operations[K]['response']>;
}

/**
 * How often a read is sent when the connection fails before any answer. A
 * kept-alive connection the server closes just as it is reused fails this way
 * (undici's "other side closed"): a poll every second or so meets it now and
 * then, and a read is safe to send again.
 */
const READ_ATTEMPTS = 3;

/**
 * Whether `error` says the deployments API is out of reach for now (a 5xx
 * answer, or none), so that a wait may go on polling; anything else (a 4xx)
 * is an answer to act on.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof ResponseError) return error.statusCode >= 500;
  return (error as Error | undefined)?.name === ServiceUnavailableError.name;
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
      const url = `${baseUrl}${request.path}`;
      let response: Response;
      for (let attempt = 1; ; attempt++) {
        try {
          response = await fetch(url, {
            method: request.method,
            headers: { ...request.headers, authorization: `Bearer ${token}` },
            body: request.body,
            signal,
          });
          break;
        } catch (error) {
          // fetch rejects with a TypeError when no answer came (an abort is an AbortError).
          if (signal?.aborted || (error as Error).name !== 'TypeError') {
            throw error;
          }
          if (request.method === 'GET' && attempt < READ_ATTEMPTS) continue;
          const cause = (error as { cause?: Error }).cause;
          throw new ServiceUnavailableError(
            `The deployments API did not answer ${request.method} ${url}${
              cause?.message ? ` (${cause.message})` : ''
            }: is the backend running?`,
          );
        }
      }
      if (!response.ok) throw await ResponseError.fromResponse(response);
      return await response.json();
    },
  };
}
