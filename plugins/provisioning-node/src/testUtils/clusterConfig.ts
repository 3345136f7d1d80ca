import { ConfigReader } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { DefaultKubernetesClusters } from '../clusters';

/**
 * The `kubernetes` app-config that names each KubeConfig's cluster as
 * Backstage's Kubernetes plugin (and Paved, `readClusters`) reads it:
 * `clusterLocatorMethods: [{type: config, clusters: [...]}]`, with the
 * kubeconfig's token as the service account token.
 */
export function kubernetesConfigFor(clusters: Record<string, KubeConfig>) {
  return {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: Object.entries(clusters).map(([name, kubeConfig]) => {
          const cluster = kubeConfig.getCurrentCluster();
          const token = kubeConfig.getCurrentUser()?.token;
          if (!cluster || !token) {
            throw new Error(
              `kubernetesConfigFor: the kubeconfig of ${name} has no current cluster or token`,
            );
          }
          const caData =
            cluster.caData ??
            (cluster.caFile
              ? readFileSync(cluster.caFile).toString('base64')
              : undefined);
          return {
            name,
            url: cluster.server,
            authProvider: 'serviceAccount',
            serviceAccountToken: token,
            ...(caData ? { caData } : {}),
            ...(cluster.skipTLSVerify ? { skipTLSVerify: true } : {}),
          };
        }),
      },
    ],
  };
}

/**
 * The clusters as the backend would have them from app-config: each
 * environment (default staging and production) on the named cluster.
 */
export function clustersFor(
  clusters: Record<string, KubeConfig>,
  environments: Array<{ name: string; cluster: string }> = [
    { name: 'staging', cluster: Object.keys(clusters)[0] },
    { name: 'production', cluster: Object.keys(clusters)[0] },
  ],
): DefaultKubernetesClusters {
  return DefaultKubernetesClusters.fromConfig(
    new ConfigReader({
      kubernetes: kubernetesConfigFor(clusters),
      paved: {
        environments: environments.map(e => ({
          ...e,
          namespacePattern: `{service}-${e.name}`,
        })),
      },
    }),
  );
}
