import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { DefaultTofuRunner, TofuRunner } from '../tofu';
import { VaultClient } from '../vault';
import { DefaultKubernetesClusters, KubernetesClusters } from './clusters';

/**
 * The clusters Paved deploys into: `forEnvironment(name)` and
 * `forCluster(name)` give each one's KubernetesClient. The default reads
 * `paved.environments` and `kubernetes.clusterLocatorMethods`, and fails the
 * backend's start naming an environment whose cluster is not configured.
 */
export const kubernetesClustersServiceRef =
  createServiceRef<KubernetesClusters>({
    id: 'paved.kubernetes-clusters',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) => DefaultKubernetesClusters.fromConfig(config),
      }),
  });

/** Vault as the portal (`paved.platform.vault`). */
export const vaultServiceRef = createServiceRef<VaultClient>({
  id: 'paved.vault',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => VaultClient.fromConfig(config),
    }),
});

/**
 * OpenTofu (`paved.platform.tofu`, providers' credentials from
 * `paved.platform`). A run names its Kubernetes cluster with `providerEnv`
 * (`tofuEnvFor(clusters.details(name))`).
 */
export const tofuRunnerServiceRef = createServiceRef<TofuRunner>({
  id: 'paved.tofu-runner',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => DefaultTofuRunner.fromConfig(config),
    }),
});
