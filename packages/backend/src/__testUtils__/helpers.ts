import { JsonObject } from '@backstage/types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import yaml from 'yaml';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
export const repoRoot = path.resolve(__dirname, '../../../..');

/** Catalog config that ingests the demo catalog and the golden paths, quickly. */
export const demoCatalogConfig = {
  rules: [
    {
      allow: [
        'Component',
        'System',
        'API',
        'Resource',
        'Location',
        'Domain',
        'Group',
        'User',
        'Template',
      ],
    },
  ],
  locations: [
    { type: 'file', target: path.join(repoRoot, 'catalog/all.yaml') },
    { type: 'file', target: path.join(repoRoot, 'templates/all.yaml') },
  ],
  processingInterval: { seconds: 1 },
};

/** Calls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/**
 * `paved.platform` and `paved.environments` as the local platform
 * (`yarn platform up`, which npm test runs) and app-config.yaml give them.
 */
export function platformConfig(): {
  platform: Record<string, any>;
  environments: JsonObject[];
  /** The `kubernetes` config `up` wrote: the cluster `local` the environments run on. */
  kubernetes: JsonObject;
  /** `paved.provisioning.moduleDefaults` `up` wrote: the database host the pods reach (the node's relay). */
  moduleDefaults: JsonObject;
} {
  const platformFile =
    process.env.PAVED_PLATFORM_CONFIG ??
    path.join(repoRoot, '.paved/run/app-config.platform.yaml');
  const read = (file: string) => yaml.parse(readFileSync(file, 'utf8'));
  const written = read(platformFile);
  return {
    platform: written.paved.platform,
    environments: read(path.join(repoRoot, 'app-config.yaml')).paved
      .environments,
    kubernetes: written.kubernetes,
    moduleDefaults: written.paved.provisioning?.moduleDefaults ?? {},
  };
}

/** The database a PostgreSQL URL logs in to, asked of the server itself. */
export async function currentDatabaseOf(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT current_database() AS db')).rows[0].db;
  } finally {
    await client.end();
  }
}
