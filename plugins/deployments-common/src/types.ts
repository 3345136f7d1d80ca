/** Where a deployment is in its life. */
export type DeploymentStatus =
  | 'pending'
  | 'rolling-out'
  | 'succeeded'
  | 'failed';

/** One deployment of an image of an entity to an environment. */
export interface Deployment {
  id: string;
  /** e.g. `component:default/orders-api` */
  entityRef: string;
  environment: string;
  image: string;
  /** Desired replicas, when the deployment set them. */
  replicas?: number;
  /** The Kubernetes Deployment's revision once the rollout was observed. */
  revision?: number;
  status: DeploymentStatus;
  /** User entity ref of who asked for it. */
  requestedBy: string;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601, once succeeded or failed. */
  finishedAt?: string;
  /** What happened, in words, e.g. the rollout's last status. */
  message?: string;
  /** Why a failed rollout failed. */
  failureReason?: RolloutFailureReason;
  /** The failing container's last log lines, when a failed rollout has them. */
  logTail?: string;
  /** The image that ran in the environment before this deployment. */
  previousImage?: string;
  /** Set on an automatic rollback: the deployment whose failed rollout it undid. */
  rollbackOf?: string;
  /** Set when the deployment restarts the service for a change of its environment's secrets: key names and versions, never values. */
  secretChange?: DeploymentSecretChange;
}

/** The secret change a deployment rolled out. */
export interface DeploymentSecretChange {
  /** The environment secret's KV version it rolled out. */
  version: number;
  /** The version before it: what an automatic rollback restores. */
  previousVersion?: number;
  changes: Array<{ key: string; change: 'added' | 'changed' | 'removed' }>;
  /** A database password rotation: the login role set NOLOGIN once the restart succeeded (no other environment uses it). */
  retireLogin?: string;
  /** What else the change did or left, in words (e.g. an old login another environment still uses). */
  note?: string;
}

/**
 * Why a rollout failed: the image can't be pulled, the container keeps
 * crashing or can't be created, its readiness probe never passes, no node
 * takes it, the Deployment's progress deadline passed (`Deadline`) or
 * Paved's own time limit did (`Timeout`).
 */
export type RolloutFailureReason =
  | 'ImagePull'
  | 'CrashLoop'
  | 'ContainerConfig'
  | 'ProbeFailure'
  | 'Unschedulable'
  | 'Deadline'
  | 'Timeout';

/** The actor of what Paved does by itself, e.g. an automatic rollback. */
export const PAVED_ACTOR = 'paved:automatic';

/** `not-deployed`: the environment has no Deployment of the service yet. */
export type RolloutState =
  | 'progressing'
  | 'complete'
  | 'failed'
  | 'not-deployed';

/** What runs in one environment, live from the cluster, and the last deployment there. */
export interface EnvironmentStatus {
  environment: string;
  namespace: string;
  requiresApproval: boolean;
  image?: string;
  replicas: {
    desired: number;
    ready: number;
    updated: number;
    available: number;
  };
  rolloutState: RolloutState;
  /** The cluster's words for the rollout, e.g. "1 of 2 updated replicas are available". */
  rolloutMessage?: string;
  lastDeployment?: Deployment;
  /** Where the service answers in this environment, when it has a URL. */
  url?: string;
  /** What the running service says at `<url>/healthz`, asked live. */
  health?: ServiceHealth;
}

/** A running service's answer at `<url>/healthz`. */
export interface ServiceHealth {
  healthy: boolean;
  /** The HTTP status, when it answered. */
  statusCode?: number;
  /** The version it reports, e.g. the commit it was built from. */
  version?: string;
  /** Why it is not healthy, e.g. no answer. */
  error?: string;
  /** ISO 8601 */
  checkedAt: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/** A promotion into an environment that requires approval. */
export interface ApprovalRequest {
  id: string;
  entityRef: string;
  fromEnvironment: string;
  toEnvironment: string;
  image: string;
  requestedBy: string;
  status: ApprovalStatus;
  decidedBy?: string;
  /** ISO 8601 */
  decidedAt?: string;
  /** ISO 8601 */
  createdAt: string;
  /** The deployment an approval started. */
  deploymentId?: string;
}

/** A page of deployment history, newest first. */
export interface DeploymentPage {
  items: Deployment[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What `POST /promotions` did: deployed right away, or asked for approval. */
export type PromotionResult =
  | { type: 'deployment'; deployment: Deployment }
  | { type: 'approval'; approval: ApprovalRequest };

/** One audited action. Carries refs, names and images, never secret values. */
export interface DeploymentAuditEvent {
  id: string;
  /** ISO 8601 */
  createdAt: string;
  actor: string;
  action:
    | 'deploy'
    | 'promote'
    | 'approve'
    | 'reject'
    | 'rollback'
    | 'rollout'
    | 'secret-change'
    | 'secret-rollback'
    | 'secret-rotate';
  entityRef: string;
  environment?: string;
  image?: string;
  result: 'succeeded' | 'failed' | 'pending';
  message?: string;
  deploymentId?: string;
  approvalId?: string;
}

/** `POST /deployments`: deploy an image of an entity to an environment. */
export interface DeployRequest {
  entityRef: string;
  environment: string;
  image: string;
  replicas?: number;
}

/** `POST /promotions`: promote what runs in one environment to another. */
export interface PromoteRequest {
  entityRef: string;
  from: string;
  to: string;
}

/** `POST /rollbacks`: deploy an earlier, successful deployment's image again. */
export interface RollbackRequest {
  entityRef: string;
  environment: string;
  toDeploymentId: string;
}

/** The query of `GET /entities/:kind/:namespace/:name/deployments`. */
export interface ListDeploymentsOptions {
  environment?: string;
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}
