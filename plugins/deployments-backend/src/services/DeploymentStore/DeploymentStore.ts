import {
  ApprovalRequest,
  ApprovalStatus,
  Deployment,
  DeploymentAuditEvent,
  DeploymentStatus,
  RolloutFailureReason,
} from '@paved/plugin-deployments-common';

/** A deployment with where it went in the cluster; the API shows the Deployment part. */
export interface StoredDeployment extends Deployment {
  namespace: string;
  workload: string;
  /** The User-Agent of the request that started it (portal or CLI, for the insights). */
  userAgent?: string;
}

/** How a rollout ended. */
export interface DeploymentOutcome {
  status: DeploymentStatus;
  message: string;
  revision?: number;
  failureReason?: RolloutFailureReason;
  logTail?: string;
}

/**
 * Deployments, their per-entity+environment locks, approval requests and the
 * audit trail. KnexDeploymentStore keeps them in the plugin's database.
 */
export interface DeploymentStore {
  /**
   * Takes the lock on an entity+environment for one deployment; a
   * DeploymentInProgressError (409) when another deployment holds it and its holder still beats
   * (a lock without a recent heartbeat is taken over). Serializes deploys
   * across every backend instance sharing the store.
   */
  acquireLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<void>;
  /** Says the lock's holder is alive; false when the deployment no longer holds it. */
  heartbeatLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<boolean>;
  releaseLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<void>;

  insertDeployment(deployment: StoredDeployment): Promise<void>;
  /**
   * Records how a deployment ended; false when it had ended already (another
   * backend instance watching the same rollout recorded it first).
   */
  finishDeployment(id: string, outcome: DeploymentOutcome): Promise<boolean>;
  getDeployment(id: string): Promise<StoredDeployment | undefined>;
  /** Deployments still rolling out, e.g. ones a stopped backend was watching. */
  listInFlight(): Promise<StoredDeployment[]>;
  /** History, newest first; `cursor` is the `seq` below which to continue. */
  listDeployments(options: {
    entityRef: string;
    environment?: string;
    status?: DeploymentStatus;
    limit: number;
    cursor?: number;
  }): Promise<{ items: StoredDeployment[]; nextCursor?: number }>;

  insertApproval(approval: ApprovalRequest): Promise<void>;
  getApproval(id: string): Promise<ApprovalRequest | undefined>;
  listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus; limit: number },
  ): Promise<ApprovalRequest[]>;
  /**
   * Moves a pending approval to `status`; false when it was no longer pending
   * (someone else decided first).
   */
  decideApproval(
    id: string,
    decision: { status: ApprovalStatus; decidedBy: string },
  ): Promise<boolean>;
  /** Puts an approval back to pending, when the deploy it started could not start. */
  reopenApproval(id: string): Promise<void>;
  setApprovalDeployment(id: string, deploymentId: string): Promise<void>;

  addAuditEvent(event: DeploymentAuditEvent): Promise<void>;
  /** Newest first. */
  listAuditEvents(
    entityRef: string,
    limit: number,
  ): Promise<DeploymentAuditEvent[]>;
}
