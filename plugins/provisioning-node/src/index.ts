/**
 * Clients for the infrastructure Paved provisions into, shared by the
 * scaffolder module and the deploy backend. `./testUtils` gives tests a
 * sandbox on the local platform.
 *
 * @packageDocumentation
 */
export { VaultClient } from './vault';
export type { CreatedToken, KvEngine, SecretData } from './vault';
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
export { DefaultKubernetesClient, rolloutStatusOf } from './kubernetes';
export type {
  AppliedObject,
  ApplyOptions,
  ApplyOutcome,
  KubernetesClient,
  RolloutStatus,
  WaitForRolloutOptions,
} from './kubernetes';
export { parseVaultPath, secretFromVault } from './secrets';
export type { VaultSecretSource } from './secrets';
export { namespaceFor, namespacesFor, readEnvironments } from './environments';
export type { Environment } from './environments';
