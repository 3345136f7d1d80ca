import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Where a signed-in user's credentials are kept: `$XDG_CONFIG_HOME/paved` (default `~/.config/paved`). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(
    env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'),
    'paved',
  );
}

/** What `paved login` stores (mode 0600): the portal and its OIDC tokens. */
export interface StoredCredentials {
  portal: string;
  accessToken: string;
  /** Unix ms. */
  accessTokenExpiresAt: number;
  refreshToken?: string;
  clientId: string;
  user?: string;
}

const file = (env?: NodeJS.ProcessEnv) =>
  path.join(configDir(env), 'credentials.json');

export async function readCredentials(
  env?: NodeJS.ProcessEnv,
): Promise<StoredCredentials | undefined> {
  try {
    return JSON.parse(await readFile(file(env), 'utf8'));
  } catch {
    return undefined;
  }
}

export async function writeCredentials(
  credentials: StoredCredentials,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const target = file(env);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  await writeFile(target, `${JSON.stringify(credentials, null, 2)}\n`, {
    mode: 0o600,
  });
  await chmod(target, 0o600);
  return target;
}

export async function removeCredentials(env?: NodeJS.ProcessEnv) {
  await rm(file(env), { force: true });
}

/** The portal's backend URL: `--portal`, `PAVED_PORTAL`, the one signed in to, else the local portal. */
export function portalUrl(
  flag: string | undefined,
  stored: StoredCredentials | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return (
    flag ||
    env.PAVED_PORTAL ||
    stored?.portal ||
    'http://localhost:7007'
  ).replace(/\/+$/, '');
}
