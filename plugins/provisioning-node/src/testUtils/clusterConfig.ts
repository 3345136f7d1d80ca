import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';

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
