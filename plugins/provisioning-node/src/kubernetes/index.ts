export { DefaultKubernetesClient } from './KubernetesClient';
export { rolloutStatusOf } from './rollout';
export type {
  AppliedObject,
  ApplyOptions,
  ApplyOutcome,
  KubernetesClient,
  RolloutStatus,
  WaitForRolloutOptions,
} from './types';
