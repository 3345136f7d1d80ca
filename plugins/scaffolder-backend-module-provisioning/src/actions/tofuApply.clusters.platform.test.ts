import { CoreV1Api } from '@kubernetes/client-node';
import { DefaultTofuRunner, tofuEnvFor } from '@paved/plugin-provisioning-node';
import {
  clustersFor,
  createPlatformSandbox,
  PlatformSandbox,
  SecondCluster,
  startSecondCluster,
} from '@paved/plugin-provisioning-node/testUtils';
import path from 'node:path';
import { contextWithLog, outputOf } from '../__testUtils__/context';
import { createTofuApplyAction } from './tofuApply';
import { modulesDirectory, tofuConfigFor } from '../__testUtils__/tofu';

// service-namespace for environments on two real clusters (docs/decisions/0015):
// staging on the local platform's, production on a second one started for
// this test. OpenTofu's Kubernetes provider creates each namespace on its
// environment's cluster, one run per cluster.

jest.setTimeout(300_000);

describe('paved:tofu:apply with environments on two clusters', () => {
  let sandbox: PlatformSandbox;
  let second: SecondCluster | undefined;
  let runner: DefaultTofuRunner;
  const namespaces = () => ({
    staging: `${sandbox.id}-staging`,
    production: `${sandbox.id}-production`,
  });
  const variables = () => ({
    service: sandbox.id,
    owner: 'group:default/storefront-team',
    tier: 'experimental',
    namespaces: namespaces(),
  });
  const clusters = () =>
    clustersFor({ local: sandbox.kubeConfig, second: second!.kubeConfig }, [
      { name: 'staging', cluster: 'local' },
      { name: 'production', cluster: 'second' },
    ]);

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    second = await startSecondCluster();
    const { platform } = sandbox;
    // No kubeconfig: the runs get their cluster from the action only.
    runner = DefaultTofuRunner.fromConfig(tofuConfigFor(platform));
  });
  afterAll(async () => {
    if (second) {
      const moduleDir = path.join(modulesDirectory, 'service-namespace');
      const split = { staging: 'local', production: 'second' } as const;
      for (const [environment, cluster] of Object.entries(split)) {
        await runner
          .destroy({
            moduleDir,
            workspace:
              cluster === 'local' ? sandbox.id : `${sandbox.id}-${cluster}`,
            stateSchema: 'tofu_service_namespace',
            variables: {
              ...variables(),
              namespaces: {
                [environment]: namespaces()[environment as keyof typeof split],
              },
            },
            providerEnv: tofuEnvFor(clusters().details(cluster)),
          })
          .catch(() => undefined);
      }
    }
    await sandbox?.cleanup();
    await second?.stop();
  });

  it("creates each environment's namespace on its environment's cluster", async () => {
    const action = createTofuApplyAction({
      runner,
      clusters: clusters(),
      modulesDirectory,
    });
    const { ctx, log, output } = contextWithLog({
      module: 'service-namespace',
      workspace: sandbox.id,
      variables: variables(),
    });
    await action.handler(ctx);
    expect(log).toEqual(
      expect.arrayContaining([
        `Applying module service-namespace in workspace ${sandbox.id} on cluster local`,
        `Applying module service-namespace in workspace ${sandbox.id}-second on cluster second`,
      ]),
    );
    // The outputs of both runs, as one.
    expect(outputOf(output, 'outputs')).toMatchObject({
      namespaces: namespaces(),
    });
    const first = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const other = second!.kubeConfig.makeApiClient(CoreV1Api);
    await first.readNamespace({ name: namespaces().staging });
    await other.readNamespace({ name: namespaces().production });
    const quota = await other.readNamespacedResourceQuota({
      name: 'paved-quota',
      namespace: namespaces().production,
    });
    expect(quota.metadata?.labels?.['paved.dev/tier']).toBe('experimental');
    await expect(
      first.readNamespace({ name: namespaces().production }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      other.readNamespace({ name: namespaces().staging }),
    ).rejects.toMatchObject({ code: 404 });
  });
});
