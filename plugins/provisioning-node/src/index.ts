/**
 * Clients for the infrastructure Paved provisions into, shared by the
 * scaffolder module and the deploy backend. `./testUtils` gives tests a
 * sandbox on the local platform.
 *
 * @packageDocumentation
 */
export { VaultClient } from './vault';
export type {
  CreatedToken,
  Kv2Engine,
  KvEngine,
  KvMetadata,
  KvVersion,
  SecretData,
} from './vault';
export { DefaultTofuRunner } from './tofu';
export type {
  DefaultTofuRunnerOptions,
  TofuChangeAction,
  TofuModuleRun,
  TofuOutput,
  TofuPlan,
  TofuRunner,
  TofuSettings,
} from './tofu';
export {
  CRASH_LOOP_RESTARTS,
  DefaultKubernetesClient,
  diagnosePods,
  RolloutFailedError,
  rolloutStatusOf,
  tailOf,
} from './kubernetes';
export type {
  RolloutFailureReason,
  RolloutDiagnosis,
  RolloutProblem,
  RolloutProblemReason,
  AppliedObject,
  ApplyOptions,
  ApplyOutcome,
  KubernetesClient,
  LogLine,
  LogOptions,
  PodSummary,
  RolloutStatus,
  WaitForRolloutOptions,
} from './kubernetes';
export { parseVaultPath, secretFromVault } from './secrets';
export type { VaultSecretSource } from './secrets';
export {
  namespaceFor,
  namespacesFor,
  readEnvironments,
  serviceUrlFor,
} from './environments';
export type { Environment } from './environments';
export {
  assertClustersConfigured,
  DefaultKubernetesClusters,
  kubeConfigFor,
  kubernetesClustersServiceRef,
  readClusters,
  tofuEnvFor,
  tofuRunnerServiceRef,
  vaultServiceRef,
} from './clusters';
export type { ClusterDetails, KubernetesClusters } from './clusters';
export { ProvisioningDefaults } from './moduleDefaults';
export type { DatabaseAddress, ModuleDefaults } from './moduleDefaults';
