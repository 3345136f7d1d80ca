export { DefaultDeploymentService } from './DefaultDeploymentService';
export {
  DEPLOYMENTS_FIELD_MANAGER,
  namespaceAnnotation,
  namespaceOf,
  workloadOf,
} from './goldenPath';
export type { DefaultDeploymentServiceOptions } from './DefaultDeploymentService';
export { DefaultDeploymentAuditWriter } from './audit';
export type { EnvironmentSecretWriter } from './deployStep';
export type { AuditedAction, DeploymentAuditWriter } from './audit';
export { OwnerOrPlatformTeamApproverRule, ownersOf } from './approverRule';
export type { ApproverRule, MembershipSource } from './approverRule';
export { CatalogMembershipSource } from './membership';
export {
  automaticRollbackOf,
  DEFAULT_LOCK_HEARTBEAT_MS,
  failureOf,
  KubernetesRolloutWatcher,
} from './rolloutWatcher';
export type {
  KubernetesRolloutWatcherOptions,
  Redeployer,
  RolloutWatcher,
} from './rolloutWatcher';
export { KubernetesWorkloadCopier, workloadObjectsFrom } from './workloadCopy';
export type { WorkloadCopier } from './workloadCopy';
export {
  KubernetesMonitoringPromoter,
  LATENCY_THRESHOLD_ANNOTATION,
  monitoringObjectsFor,
  TIER_ANNOTATION,
} from './monitoringCopy';
export type { MonitoringPromoter } from './monitoringCopy';
export type * from './types';
