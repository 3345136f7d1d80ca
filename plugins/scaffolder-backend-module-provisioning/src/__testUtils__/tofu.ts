import { ConfigReader } from '@backstage/config';
import { LocalPlatform } from '@paved/plugin-provisioning-node/testUtils';
import path from 'node:path';

/** The platform team's real OpenTofu modules, which the tests run (templates/modules). */
// eslint-disable-next-line no-restricted-syntax
export const modulesDirectory = path.resolve(
  __dirname,
  '../../../../templates/modules',
);

/**
 * The config OpenTofu's runner reads for the local platform: its PostgreSQL (state), Vault
 * and tofu; no kubeconfig, so every run gets its cluster from the action.
 */
export function tofuConfigFor(platform: LocalPlatform): ConfigReader {
  return new ConfigReader({
    paved: {
      platform: {
        postgres: { url: platform.postgresUrl },
        vault: platform.vault,
        tofu: platform.tofu,
      },
    },
  });
}
