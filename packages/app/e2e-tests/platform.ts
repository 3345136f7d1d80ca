import { execFileSync } from 'node:child_process';
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

/** One scalar of the platform config (written by platform.sh, one key per line). */
function setting(key: string): string {
  const text = readFileSync(platformFile, 'utf8');
  const section = text.slice(text.indexOf('  platform:'));
  const match = section.match(new RegExp(`^\\s+${key}: (.+)$`, 'm'));
  if (!match) throw new Error(`No ${key} in ${platformFile}`);
  return match[1].trim();
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
    `${setting('address')}/v1/secret/data/${secretPath}`,
    { headers: { 'X-Vault-Token': setting('token') } },
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
