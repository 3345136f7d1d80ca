import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads the local platform the browser tests' backend provisions into (the
 * one `npm test` brings up), so a test can check what a click really created:
 * with kubectl on the real apiserver, psql on the real PostgreSQL and the
 * Vault HTTP API.
 */
const platformFile =
  process.env.PAVED_PLATFORM_CONFIG ??
  path.resolve('.paved/test-run/app-config.platform.yaml');

/** One scalar of the platform config, `section.key` (written by platform.sh, one key per line). */
function setting(key: string): string {
  const text = readFileSync(platformFile, 'utf8');
  const [section, name] = key.includes('.') ? key.split('.') : [undefined, key];
  let scope = text.slice(text.indexOf('  platform:'));
  if (section) scope = scope.slice(scope.indexOf(`\n    ${section}:`));
  const match = scope.match(new RegExp(`^\\s+${name}: (.+)$`, 'm'));
  if (!match) throw new Error(`No ${key} in ${platformFile}`);
  return match[1].trim();
}

/**
 * Gives an image in the platform's registry another tag, as a CI's release
 * step would (registry API: the manifest read under one tag, put under the
 * other). Returns the new reference, registry.paved.local/<repo>:<to>.
 */
export async function retagImage(repo: string, from: string, to: string) {
  const text = readFileSync(platformFile, 'utf8');
  const address = /^\s+registry:\s*\n\s+address: (\S+)$/m.exec(text)?.[1];
  if (!address)
    throw new Error(`No paved.platform.registry in ${platformFile}`);
  const accept =
    'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const source = await fetch(`http://${address}/v2/${repo}/manifests/${from}`, {
    headers: { accept },
  });
  if (!source.ok) {
    throw new Error(`The registry has no ${repo}:${from} (${source.status})`);
  }
  const put = await fetch(`http://${address}/v2/${repo}/manifests/${to}`, {
    method: 'PUT',
    headers: {
      'content-type':
        source.headers.get('content-type') ??
        'application/vnd.oci.image.manifest.v1+json',
    },
    body: Buffer.from(await source.arrayBuffer()),
  });
  if (put.status !== 201) {
    throw new Error(`Tagging ${repo}:${to} failed (${put.status})`);
  }
  return `registry.paved.local/${repo}:${to}`;
}

/** An object from the real apiserver, or undefined when it does not exist. */
export function kubernetesObject(
  kind: string,
  name: string,
  namespace?: string,
): any | undefined {
  try {
    const out = execFileSync(
      'kubectl',
      [
        '--kubeconfig',
        setting('kubeconfig'),
        'get',
        kind,
        name,
        ...(namespace ? ['-n', namespace] : []),
        '-o',
        'json',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(out);
  } catch (error) {
    if (String((error as { stderr?: string }).stderr).includes('NotFound'))
      return undefined;
    throw error;
  }
}

/** A KV v2 secret's data, read with the portal's token. */
export async function vaultSecret(
  secretPath: string,
): Promise<Record<string, string>> {
  const response = await fetch(
    `${setting('vault.address')}/v1/secret/data/${secretPath}`,
    { headers: { 'X-Vault-Token': setting('vault.token') } },
  );
  if (!response.ok) {
    throw new Error(`Vault answered ${response.status} for ${secretPath}`);
  }
  return (await response.json()).data.data;
}

/** Runs one SQL query as whoever the connection URL names; returns the first value. */
export function sqlAs(connectionUrl: string, query: string): string {
  return execFileSync('psql', [connectionUrl, '-tAc', query], {
    encoding: 'utf8',
  }).trim();
}

/**
 * GET of a path at a service's URL (http://<service>.<namespace>.localhost:<port>),
 * through the gateway on loopback: Node's resolver may not resolve `*.localhost`,
 * so the request goes to 127.0.0.1 with the URL's Host. Resolves with the status
 * and body; rejects when the connection fails.
 */
export function getThroughGateway(
  serviceUrl: string,
  requestPath: string,
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  const url = new URL(requestPath, serviceUrl);
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port: Number(url.port || 80),
        path: url.pathname,
        headers: { host: url.host },
        agent: false,
        timeout: timeoutMs,
      },
      response => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** The platform PostgreSQL's superuser connection URL (paved.platform.postgres.url). */
export const postgresSuperuserUrl = () => setting('postgres.url');

/** The platform's Prometheus (paved.platform.prometheus.url). */
export const prometheusUrl = () => setting('prometheus.url');
