import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { StoredCredentials } from './config';
import { CliError, EXIT } from './errors';
import { Portal } from './portal';

/** How long `paved login` waits for the browser. */
const LOGIN_TIMEOUT_MS = 5 * 60_000;

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** The Backstage CLI's OIDC client: the auth backend's client ID metadata document. */
export const cliClientId = (portal: string) =>
  `${portal}/api/auth/.well-known/oauth-client/cli.json`;

/**
 * Signs in as Backstage 1.57's own CLI does (`backstage-cli auth login`): the
 * auth backend's OIDC authorization-code flow with PKCE, its client being
 * the client ID metadata document the auth backend serves for CLIs
 * (`auth.experimentalClientIdMetadataDocuments`). The portal's sign-in page
 * and consent screen run in a browser; the code comes back to a one-shot
 * server on 127.0.0.1, and is exchanged for an access token and (with
 * `auth.experimentalRefreshToken`) a refresh token.
 */
export async function login(options: {
  portal: Portal;
  openBrowser: boolean;
  /** Where the URL to open is told (stderr, so --json stays clean). */
  say: (line: string) => void;
}): Promise<StoredCredentials> {
  const { portal, say } = options;
  const clientId = cliClientId(portal.baseUrl);
  const metadata = await portal.raw(
    '/api/auth/.well-known/oauth-client/cli.json',
  );
  if (!metadata.ok) {
    throw new CliError(
      `the portal at ${portal.baseUrl} does not offer CLI sign-in`,
      EXIT.failed,
      'enable auth.experimentalClientIdMetadataDocuments in its app-config, or use PAVED_TOKEN',
    );
  }
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));

  let finish: (result: { code?: string; error?: string }) => void = () => {};
  const answered = new Promise<{ code?: string; error?: string }>(resolve => {
    finish = resolve;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (
      url.pathname !== '/callback' ||
      url.searchParams.get('state') !== state
    ) {
      res.writeHead(404).end();
      return;
    }
    const error =
      url.searchParams.get('error_description') ??
      url.searchParams.get('error');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      error
        ? `Sign-in refused: ${error}\n`
        : 'Signed in to Paved; you can close this tab.\n',
    );
    finish({
      code: url.searchParams.get('code') ?? undefined,
      error: error ?? undefined,
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/callback`;
  try {
    const authorize = new URL(`${portal.baseUrl}/api/auth/v1/authorize`);
    authorize.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid offline_access',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    say(`Open this URL to sign in to Paved:\n  ${authorize}`);
    if (options.openBrowser) openInBrowser(authorize.toString());
    const timer = setTimeout(
      () => finish({ error: 'timed out waiting for the browser' }),
      LOGIN_TIMEOUT_MS,
    );
    const result = await answered;
    clearTimeout(timer);
    if (!result.code) {
      throw new CliError(
        `sign-in did not finish: ${result.error ?? 'no code'}`,
        EXIT.notPermitted,
        'run paved login again',
      );
    }
    const exchanged = await portal.raw('/api/auth/v1/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: result.code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    if (!exchanged.ok) {
      throw new CliError(
        `the portal refused the sign-in code (${exchanged.status})`,
        EXIT.notPermitted,
        'run paved login again',
      );
    }
    const token = (await exchanged.json()) as {
      access_token: string;
      expires_in: number;
      refresh_token?: string;
    };
    return {
      portal: portal.baseUrl,
      accessToken: token.access_token,
      accessTokenExpiresAt: Date.now() + token.expires_in * 1000,
      refreshToken: token.refresh_token,
      clientId,
      user: userOfToken(token.access_token),
    };
  } finally {
    server.close();
  }
}

/** The user entity ref a Backstage token names (its `sub`), read without verifying: for display only. */
export function userOfToken(token: string): string | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
    );
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/** When the token expires (its `exp`), if it says. */
export function expiryOfToken(token: string): Date | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
    );
    return typeof payload.exp === 'number'
      ? new Date(payload.exp * 1000)
      : undefined;
  } catch {
    return undefined;
  }
}

export function openInBrowser(url: string) {
  const command =
    { darwin: 'open', win32: 'explorer' }[process.platform as string] ??
    'xdg-open';
  try {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The URL is printed; opening it is a convenience.
  }
}
