import {
  deploymentsRequest,
  OperationId,
  Operations,
  RequestOptions,
} from '@paved/plugin-deployments-common';
import {
  readCredentials,
  StoredCredentials,
  writeCredentials,
  portalUrl,
} from './config';
import { CliError, EXIT, fromBackendError } from './errors';
import { HttpRequestInit, HttpResponse, request as httpRequest } from './http';
import { VERSION } from './version';

/** A refresh is due this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The portal's HTTP APIs as the signed-in user: the deployments API by
 * operationId (the spec's types, `deploymentsRequest`), the catalog, the
 * scaffolder, the auth backend. The token is `PAVED_TOKEN`, else the stored
 * one, refreshed with its refresh token when it is about to expire.
 */
export class Portal {
  private token?: string;

  private constructor(
    readonly baseUrl: string,
    private stored: StoredCredentials | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(
    flag: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Portal> {
    const stored = await readCredentials(env);
    return new Portal(portalUrl(flag, stored, env), stored, env);
  }

  /** The bearer token to send; refreshes a stored one that is about to expire. */
  async accessToken(): Promise<string> {
    if (this.token) return this.token;
    if (this.env.PAVED_TOKEN) return (this.token = this.env.PAVED_TOKEN);
    const stored = this.stored;
    if (!stored || stored.portal !== this.baseUrl) {
      throw new CliError(
        `not signed in to ${this.baseUrl}`,
        EXIT.notPermitted,
        'run paved login (or set PAVED_TOKEN in CI)',
      );
    }
    if (stored.accessTokenExpiresAt - REFRESH_MARGIN_MS > Date.now()) {
      return (this.token = stored.accessToken);
    }
    if (!stored.refreshToken) {
      throw new CliError(
        'your sign-in has expired',
        EXIT.notPermitted,
        'run paved login',
      );
    }
    const answer = await this.raw('/api/auth/v1/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: stored.refreshToken,
        client_id: stored.clientId,
      }),
    });
    if (!answer.ok) {
      throw new CliError(
        'your sign-in has expired and could not be refreshed',
        EXIT.notPermitted,
        'run paved login',
      );
    }
    const token = (await answer.json()) as {
      access_token: string;
      expires_in: number;
      refresh_token?: string;
    };
    this.stored = {
      ...stored,
      accessToken: token.access_token,
      accessTokenExpiresAt: Date.now() + token.expires_in * 1000,
      refreshToken: token.refresh_token ?? stored.refreshToken,
    };
    await writeCredentials(this.stored, this.env);
    return (this.token = token.access_token);
  }

  /** fetch against the portal; an unreachable portal is a CliError saying so. */
  async raw(route: string, init: HttpRequestInit = {}): Promise<HttpResponse> {
    try {
      // Names the client: the audit trail and the insights' deploys by channel (adoption.ts: paved-cli).
      return await httpRequest(`${this.baseUrl}${route}`, {
        ...init,
        headers: {
          'user-agent': `paved-cli/${VERSION}`,
          ...(init.headers as Record<string, string>),
        },
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new CliError(
        `cannot reach the portal at ${this.baseUrl} (${
          (error as { cause?: Error }).cause?.message ??
          (error as Error).message
        })`,
        EXIT.failed,
        'start it (npm start), or point paved at it with --portal URL or PAVED_PORTAL',
      );
    }
  }

  /** A request as the signed-in user; a non-2xx answer becomes a CliError by the backend's error name. */
  async fetch(
    route: string,
    init: HttpRequestInit = {},
  ): Promise<HttpResponse> {
    const token = await this.accessToken();
    const response = await this.raw(route, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${token}`,
      },
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async json<T>(route: string, init?: HttpRequestInit): Promise<T> {
    return (await (await this.fetch(route, init)).json()) as T;
  }

  /** One operation of the deployments API, built from the spec's types. */
  async deployments<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
    signal?: AbortSignal,
  ): Promise<Operations[K]['response']> {
    const request = deploymentsRequest(operationId, options);
    return this.json(`/api/deployments${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
    });
  }

  /** The deployments API's answer as a response, for streams (the logs). */
  async deploymentsStream<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const request = deploymentsRequest(operationId, options);
    return this.fetch(`/api/deployments${request.path}`, {
      method: request.method,
      headers: request.headers,
      signal,
    });
  }
}

/** A portal's error answer as a CliError (its @backstage/errors body, else the status). */
export async function errorOf(response: HttpResponse): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let name: string | undefined;
  let message = `the portal answered ${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text);
    name = body?.error?.name;
    if (body?.error?.message) message = body.error.message;
  } catch {
    if (text) message = `${message}: ${text.slice(0, 200)}`;
  }
  return fromBackendError(response.status, name, message);
}
