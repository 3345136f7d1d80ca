export {
  assertClustersConfigured,
  DefaultKubernetesClusters,
  kubeConfigFor,
  readClusters,
  tofuEnvFor,
} from './clusters';
export type { ClusterDetails, KubernetesClusters } from './clusters';
export {
  kubernetesClustersServiceRef,
  tofuRunnerServiceRef,
  vaultServiceRef,
} from './services';
