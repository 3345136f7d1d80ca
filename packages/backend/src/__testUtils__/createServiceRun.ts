import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleWorkspaceDatabase from '@backstage/plugin-scaffolder-backend-module-workspace-database';
import { ConfigReader } from '@backstage/config';
import {
  DefaultTofuRunner,
  namespacesFor,
  readEnvironments,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { gitRemoteUrlReaderFactory } from '@paved/plugin-git-remote-node';
import scaffolderModulePaved from '@paved/plugin-scaffolder-backend-module-paved';
import scaffolderModuleProvisioning from '@paved/plugin-scaffolder-backend-module-provisioning';
import deploymentsPlugin from '@paved/plugin-deployments-backend';
import { JsonObject } from '@backstage/types';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { TestBuilder } from './testBuilder';
import {
  currentDatabaseOf,
  demoCatalogConfig,
  platformConfig,
  poll,
  repoRoot,
} from './helpers';

/** The token the builder reports builds to a test backend with (mock credentials). */
export const builderToken = () =>
  mockCredentials.service.token({
    onBehalfOf: mockCredentials.service('external:paved-builder'),
    targetPluginId: 'deployments',
  });

/**
 * A backend with the real catalog, scaffolder and Paved's actions on the
 * local platform, and helpers to run "Create Service" through its HTTP API
 * the way the browser does.
 */
export async function startGoldenPathBackend(options: {
  database: JsonObject;
  gitRemoteBaseUrl: string;
  /** The builder the git remote announces pushes to; it reports its builds to this backend. */
  builder: TestBuilder;
  /** Overrides of paved.platform. */
  platform?: JsonObject;
  /** In place of the platform's `kubernetes` config, e.g. its cluster through a proxy. */
  kubernetes?: JsonObject;
  /** After how long without a heartbeat an interrupted task is resumed (app-config.yaml: 30 s). */
  staleTimeoutSeconds?: number;
}) {
  const { platform, environments, kubernetes, moduleDefaults } =
    platformConfig();
  const paved: JsonObject = {
    gitRemote: { baseUrl: options.gitRemoteBaseUrl, owner: 'paved' },
    platform: { ...platform, ...options.platform },
    environments,
    provisioning: {
      modulesDirectory: path.join(repoRoot, 'templates/modules'),
      // As the portal: the services' database host is the one their pods reach.
      moduleDefaults,
    },
  };
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleTemplateKind,
      scaffolderPlugin,
      scaffolderModuleWorkspaceDatabase,
      scaffolderModulePaved,
      scaffolderModuleProvisioning,
      // Create Service waits for its build and deploys through this plugin.
      deploymentsPlugin,
      gitRemoteUrlReaderFactory,
      databaseServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          backend: { database: options.database },
          paved,
          kubernetes: options.kubernetes ?? kubernetes,
          catalog: demoCatalogConfig,
          // As app-config.yaml: an interrupted run resumes; a failed one can be retried.
          scaffolder: {
            taskRecovery: {
              enabled: true,
              staleTimeout: { seconds: options.staleTimeoutSeconds ?? 30 },
              workspaceProvider: 'database',
            },
          },
        },
      }),
    ],
  });
  const server = backend.server;
  const base = `http://localhost:${server.port()}/api`;
  // The builder reports each build of this backend's repositories to it, as CI would.
  await options.builder.reportTo(
    `http://localhost:${server.port()}`,
    builderToken(),
  );
  const client = await portalClient(base);

  /** Stops this backend (its database stays as its config says: memory is gone, disk stays). */
  const stop = () => backend.stop();

  return { ...client, stop };
}

/**
 * Create Service through a portal's HTTP API, as the browser does it, once
 * the demo catalog and the template are in its catalog.
 */
export async function portalClient(base: string) {
  /**
   * fetch, tried again (up to 3 times) when the connection is reset: on a busy machine a
   * kept-alive socket the server just closed is reset under the next request.
   */
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await globalThis.fetch(url, init);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        const reset = ['ECONNRESET', 'UND_ERR_SOCKET'].includes(
          cause?.code ?? '',
        );
        if (!reset || attempt >= 3) throw error;
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    }
  };
  const headers = {
    'content-type': 'application/json',
    authorization: mockCredentials.user.header('user:default/guest'),
  };
  for (const ref of [
    'template/default/create-service',
    'group/default/storefront-team',
    // The last of the demo catalog to appear: the name checks need all of it.
    'component/default/payments-service',
  ]) {
    await poll(`${ref} in the catalog`, async () => {
      const r = await fetch(`${base}/catalog/entities/by-name/${ref}`, {
        headers,
      });
      return r.ok ? true : undefined;
    });
  }

  const createTask = (
    values: Record<string, string>,
    templateRef = 'template:default/create-service',
  ) =>
    fetch(`${base}/scaffolder/v2/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ templateRef, values }),
    });
  const events = async (taskId: string) =>
    (await (
      await fetch(`${base}/scaffolder/v2/tasks/${taskId}/events`, { headers })
    ).json()) as {
      body: { message?: string; stepId?: string; status?: string };
    }[];
  /** The task's log so far, its last lines: what a timed-out wait says it was doing. */
  const tail = async (taskId: string) =>
    (await events(taskId).catch(() => []))
      .map(e => e.body.message ?? '')
      .filter(Boolean)
      .slice(-25)
      .join('\n');
  // The first image's build (a Go or Python toolchain in a container) takes a minute on 2
  // idle cores and several on busy ones: a bound, not a duration.
  const finish = async (taskId: string, timeoutMs = 480_000) => {
    const task = await poll(
      'the task to finish',
      async () => {
        const r = await fetch(`${base}/scaffolder/v2/tasks/${taskId}`, {
          headers,
        });
        const body = await r.json();
        return ['completed', 'failed'].includes(body.status) ? body : undefined;
      },
      timeoutMs,
    ).catch(async error => {
      throw new Error(`${error.message}; its log ends:\n${await tail(taskId)}`);
    });
    const log = (await events(taskId))
      .map(e => e.body.message ?? '')
      .join('\n');
    return { status: task.status as string, log };
  };
  /** The task page's "Retry": the task again, from the step that failed. */
  const retry = (taskId: string) =>
    fetch(`${base}/scaffolder/v2/tasks/${taskId}/retry`, {
      method: 'POST',
      headers,
      body: '{}',
    });
  const getEntity = (ref: string) =>
    fetch(`${base}/catalog/entities/by-name/${ref}`, { headers });

  return { base, headers, createTask, events, tail, finish, retry, getEntity };
}

/** Removes what Create Service provisioned for `name` on the local platform. */
export async function removeProvisionedService(name: string, owner: string) {
  const { platform, environments } = platformConfig();
  const runner = DefaultTofuRunner.fromConfig(
    new ConfigReader({ paved: { platform } }),
  );
  const postgres = new URL(platform.postgres.url);
  const modules = {
    'postgres-database': {
      service: name,
      database_name: name.replace(/-/g, '_'),
      host: postgres.hostname,
      port: Number(postgres.port),
      vault_path: `services/${name}/database`,
    },
    'service-namespace': {
      service: name,
      owner,
      tier: 'standard',
      namespaces: namespacesFor(
        readEnvironments(new ConfigReader({ paved: { environments } })),
        name,
      ),
    },
  };
  for (const [module, variables] of Object.entries(modules)) {
    await runner.destroy({
      moduleDir: path.join(repoRoot, 'templates/modules', module),
      workspace: name,
      stateSchema: `tofu_${module.replace(/-/g, '_')}`,
      variables,
    });
  }
  const vault = new VaultClient(platform.vault);
  await vault.kv('secret', 2).delete(`services/${name}/app`);
  await vault.deletePolicy(`${name}-read`);
}

/**
 * Checks that `name`'s database credentials in Vault log in to its own
 * database and that its staging Secret carries the same URL; returns the
 * credentials and the Secret's keys for further checks.
 */
export async function expectDatabaseWiredToStaging(name: string) {
  const { platform } = platformConfig();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(platform.kubeconfig);
  const stored = await new VaultClient(platform.vault)
    .kv('secret', 2)
    .read(`services/${name}/database`);
  expect(stored).toBeDefined();
  const credentials = stored!.data;
  expect(await currentDatabaseOf(credentials.url)).toBe(
    name.replace(/-/g, '_'),
  );
  const secret = await kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({
      name: `${name}-secrets`,
      namespace: `${name}-staging`,
    });
  expect(Buffer.from(secret.data!.DATABASE_URL, 'base64').toString()).toBe(
    credentials.url,
  );
  return { credentials, secretKeys: Object.keys(secret.data!) };
}
