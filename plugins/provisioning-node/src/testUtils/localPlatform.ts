import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';

/** Endpoints and credentials of the local platform (`yarn platform up`). */
export interface LocalPlatform {
  kubeconfigPath: string;
  vault: { address: string; token: string };
  /** A superuser connection to the platform's PostgreSQL. */
  postgresUrl: string;
  tofu: { binary: string; cliConfig: string; stateConnection: string };
  /** The gateway's URL pattern, e.g. http://{service}.{namespace}.localhost:8900 */
  gateway?: { url: string };
  /**
   * The OCI registry the node pulls from: `address` is host:port of its HTTP
   * API, `publicHost` the name images have in manifests (registry.paved.local).
   * Absent in a config written before the platform had a registry.
   */
  registry?: { address: string; publicHost: string };
  /** Where the node's pods reach PostgreSQL (its relay, docs/decisions/0018); absent without a node. */
  databaseAddress?: { host: string; port: number };
}

/**
 * Reads what `yarn platform up` wrote: `$PAVED_PLATFORM_CONFIG`, or
 * `.paved/run/app-config.platform.yaml` in the repo. `npm test` brings the
 * platform up and sets the variable.
 */
export function loadLocalPlatform(): LocalPlatform {
  if (process.env.PAVED_TEST_TIER === 'fast') {
    // The fast tier runs without the platform (scripts/test.sh, PAVED_TEST_ONLY=fast).
    throw new Error(
      'This test needs the local platform, so it belongs to the platform tier: name its file *.platform.test.ts',
    );
  }
  const file =
    process.env.PAVED_PLATFORM_CONFIG ??
    // Test utilities run from source, where __dirname is this directory.
    // eslint-disable-next-line no-restricted-syntax
    path.resolve(__dirname, '../../../../.paved/run/app-config.platform.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `No local platform config at ${file}: run \`yarn platform up\` (npm test does it for you).`,
    );
  }
  const written = yaml.parse(text).paved;
  const platform = written.platform;
  const relay = written.provisioning?.moduleDefaults?.['postgres-database'];
  return {
    kubeconfigPath: platform.kubeconfig,
    vault: { address: platform.vault.address, token: platform.vault.token },
    postgresUrl: platform.postgres.url,
    tofu: {
      binary: platform.tofu.binary,
      cliConfig: platform.tofu.cliConfig,
      stateConnection: platform.tofu.stateConnection,
    },
    gateway: platform.gateway && { url: platform.gateway.url },
    registry: platform.registry?.address
      ? {
          address: platform.registry.address,
          publicHost: platform.registry.publicHost ?? 'registry.paved.local',
        }
      : undefined,
    databaseAddress: relay?.host
      ? { host: relay.host, port: Number(relay.port ?? 5432) }
      : undefined,
  };
}
