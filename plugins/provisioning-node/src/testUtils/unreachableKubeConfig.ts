import { KubeConfig } from '@kubernetes/client-node';

/** A kubeconfig whose apiserver never answers: nothing listens on port 1. */
export function unreachableKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'down', server: 'https://127.0.0.1:1', skipTLSVerify: true },
    ],
    users: [{ name: 'nobody', token: 'none' }],
    contexts: [{ name: 'down', cluster: 'down', user: 'nobody' }],
    currentContext: 'down',
  });
  return kubeConfig;
}
