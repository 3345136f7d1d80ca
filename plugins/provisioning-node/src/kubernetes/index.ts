export { DefaultKubernetesClient } from './KubernetesClient';
export { rolloutStatusOf } from './rollout';
export { diagnosePods, tailOf, CRASH_LOOP_RESTARTS } from './diagnosis';
export type {
  RolloutDiagnosis,
  RolloutProblem,
  RolloutProblemReason,
} from './diagnosis';
export { RolloutFailedError } from './errors';
export type { RolloutFailureReason } from './errors';
export type {
  AppliedObject,
  ApplyOptions,
  ApplyOutcome,
  KubernetesClient,
  LogLine,
  LogOptions,
  PodSummary,
  RolloutStatus,
  WaitForRolloutOptions,
} from './types';
