// Over 400 lines: one table per concern (deployments, locks with heartbeat, approvals, audit)
// with its row mapping, behind the DeploymentStore interface; split by table if it grows.
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ApprovalRequest,
  ApprovalStatus,
  DeploymentAuditEvent,
  DeploymentStatus,
  RolloutFailureReason,
} from '@paved/plugin-deployments-common';
import { Knex } from 'knex';
import { DeploymentInProgressError } from './errors';
import {
  DeploymentOutcome,
  DeploymentStore,
  StoredDeployment,
} from './DeploymentStore';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-deployments-backend',
  'migrations',
);

type DeploymentRow = {
  seq: number | string;
  id: string;
  entity_ref: string;
  environment: string;
  namespace: string;
  workload: string;
  image: string;
  replicas: number | null;
  revision: number | null;
  status: DeploymentStatus;
  requested_by: string;
  created_at: string;
  finished_at: string | null;
  message: string | null;
  failure_reason: RolloutFailureReason | null;
  log_tail: string | null;
  previous_image: string | null;
  rollback_of: string | null;
  secret_change?: string | null;
  reverts?: string | null;
  user_agent?: string | null;
};

type ApprovalRow = {
  id: string;
  entity_ref: string;
  from_environment: string;
  to_environment: string;
  image: string;
  requested_by: string;
  status: ApprovalStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason?: string | null;
  created_at: string;
  deployment_id: string | null;
};

type AuditRow = {
  seq: number | string;
  id: string;
  created_at: string;
  actor: string;
  action: DeploymentAuditEvent['action'];
  entity_ref: string;
  environment: string | null;
  image: string | null;
  result: DeploymentAuditEvent['result'];
  message: string | null;
  deployment_id: string | null;
  approval_id: string | null;
};

const orUndefined = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;

function toDeployment(row: DeploymentRow): StoredDeployment {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    namespace: row.namespace,
    workload: row.workload,
    image: row.image,
    replicas: orUndefined(row.replicas),
    revision: orUndefined(row.revision),
    status: row.status,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    finishedAt: orUndefined(row.finished_at),
    message: orUndefined(row.message),
    failureReason: orUndefined(row.failure_reason),
    logTail: orUndefined(row.log_tail),
    previousImage: orUndefined(row.previous_image),
    rollbackOf: orUndefined(row.rollback_of),
    secretChange: row.secret_change ? JSON.parse(row.secret_change) : undefined,
    reverts: row.reverts ?? undefined,
    userAgent: row.user_agent ?? undefined,
  };
}

function toApproval(row: ApprovalRow): ApprovalRequest {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    fromEnvironment: row.from_environment,
    toEnvironment: row.to_environment,
    image: row.image,
    requestedBy: row.requested_by,
    status: row.status,
    decidedBy: orUndefined(row.decided_by),
    decidedAt: orUndefined(row.decided_at),
    decisionReason: row.decision_reason ?? undefined,
    createdAt: row.created_at,
    deploymentId: orUndefined(row.deployment_id),
  };
}

function toAuditEvent(row: AuditRow): DeploymentAuditEvent {
  return {
    id: row.id,
    createdAt: row.created_at,
    actor: row.actor,
    action: row.action,
    entityRef: row.entity_ref,
    environment: orUndefined(row.environment),
    image: orUndefined(row.image),
    result: row.result,
    message: orUndefined(row.message),
    deploymentId: orUndefined(row.deployment_id),
    approvalId: orUndefined(row.approval_id),
  };
}

/**
 * A lock whose heartbeat is older than this is taken to belong to a backend
 * that died mid-deploy (default; the watcher beats every
 * `DEFAULT_LOCK_HEARTBEAT_MS`, see docs/decisions/0009-stale-lock-heartbeat.md).
 */
export const DEFAULT_STALE_LOCK_MS = 5 * 60_000;

export interface KnexDeploymentStoreOptions {
  /** How long a lock may go without a heartbeat before another deploy takes it over. */
  staleLockMs?: number;
}

/**
 * Deployments, approvals and audit events in the plugin's database (SQLite or
 * PostgreSQL), through Knex.
 */
export class KnexDeploymentStore implements DeploymentStore {
  static async create(
    database: DatabaseService,
    options: KnexDeploymentStoreOptions = {},
  ): Promise<KnexDeploymentStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new KnexDeploymentStore(knex, options);
  }

  private readonly staleLockMs: number;

  constructor(
    private readonly db: Knex,
    options: KnexDeploymentStoreOptions = {},
  ) {
    this.staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  }

  /**
   * Takes the lock on an entity+environment for one deployment; a
   * DeploymentInProgressError (409) when another deployment holds it. Serializes deploys across
   * every backend instance sharing the database.
   */
  async acquireLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const row = {
      entity_ref: entityRef,
      environment,
      deployment_id: deploymentId,
      acquired_at: now,
      heartbeat_at: now,
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.db('deployment_locks').insert(row);
        return;
      } catch (error) {
        const held = await this.db('deployment_locks')
          .where({ entity_ref: entityRef, environment })
          .first();
        if (!held) continue;
        // A lock from before heartbeats (no heartbeat_at) counts from when it was taken.
        const lastSign = held.heartbeat_at ?? held.acquired_at;
        if (Date.parse(lastSign) < Date.now() - this.staleLockMs) {
          await this.db('deployment_locks')
            .where({
              entity_ref: entityRef,
              environment,
              deployment_id: held.deployment_id,
            })
            .delete();
          continue;
        }
        throw new DeploymentInProgressError(
          `A deployment of ${entityRef} to ${environment} is already under way (${held.deployment_id}, since ${held.acquired_at}); wait for it to finish`,
        );
      }
    }
    throw new ConflictError(
      `Could not take the deployment lock of ${entityRef} in ${environment}; try again`,
    );
  }

  async heartbeatLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<boolean> {
    const updated = await this.db('deployment_locks')
      .where({
        entity_ref: entityRef,
        environment,
        deployment_id: deploymentId,
      })
      .update({ heartbeat_at: new Date().toISOString() });
    return updated === 1;
  }

  async releaseLock(
    entityRef: string,
    environment: string,
    deploymentId: string,
  ): Promise<void> {
    await this.db('deployment_locks')
      .where({
        entity_ref: entityRef,
        environment,
        deployment_id: deploymentId,
      })
      .delete();
  }

  async insertDeployment(deployment: StoredDeployment): Promise<void> {
    const commit = await this.commitOf(deployment.entityRef, deployment.image);
    await this.db('deployments').insert({
      commit_time: commit?.commit_time ?? null,
      commit_sha: commit?.commit_sha ?? null,
      id: deployment.id,
      entity_ref: deployment.entityRef,
      environment: deployment.environment,
      namespace: deployment.namespace,
      workload: deployment.workload,
      image: deployment.image,
      replicas: deployment.replicas ?? null,
      revision: deployment.revision ?? null,
      status: deployment.status,
      requested_by: deployment.requestedBy,
      created_at: deployment.createdAt,
      finished_at: deployment.finishedAt ?? null,
      message: deployment.message ?? null,
      previous_image: deployment.previousImage ?? null,
      rollback_of: deployment.rollbackOf ?? null,
      secret_change: deployment.secretChange
        ? JSON.stringify(deployment.secretChange)
        : null,
      reverts: deployment.reverts ?? null,
      user_agent: deployment.userAgent?.slice(0, 512) ?? null,
    });
  }

  /**
   * The commit built into an image: its first succeeded build, by image or,
   * for `repo@sha256:` images, by digest. Kept on the deployment, so the
   * insights read the history without joining the builds.
   */
  private async commitOf(
    entityRef: string,
    image: string,
  ): Promise<{ commit_time: string | null; commit_sha: string } | undefined> {
    const at = image.indexOf('@sha256:');
    return this.db('builds')
      .select('commit_time', 'commit_sha')
      .where({ entity_ref: entityRef, status: 'succeeded' })
      .andWhere(q => {
        q.where('image', image);
        if (at >= 0) q.orWhere('digest', image.slice(at + 1));
      })
      .orderBy('started_at', 'asc')
      .first();
  }

  async finishDeployment(
    id: string,
    outcome: DeploymentOutcome,
  ): Promise<boolean> {
    const updated = await this.db('deployments')
      .where({ id })
      .whereIn('status', ['pending', 'rolling-out'])
      .update({
        status: outcome.status,
        message: outcome.message,
        revision: outcome.revision ?? null,
        failure_reason: outcome.failureReason ?? null,
        log_tail: outcome.logTail ?? null,
        finished_at: new Date().toISOString(),
      });
    return updated === 1;
  }

  async getDeployment(id: string): Promise<StoredDeployment | undefined> {
    const row = await this.db<DeploymentRow>('deployments')
      .where({ id })
      .first();
    return row && toDeployment(row);
  }

  /** Deployments still rolling out, e.g. ones a stopped backend was watching. */
  async listInFlight(): Promise<StoredDeployment[]> {
    const rows = await this.db<DeploymentRow>('deployments')
      .whereIn('status', ['pending', 'rolling-out'])
      .orderBy('seq', 'asc');
    return rows.map(toDeployment);
  }

  /** History, newest first; `cursor` is the `seq` below which to continue. */
  async listDeployments(options: {
    entityRef: string;
    environment?: string;
    status?: DeploymentStatus;
    limit: number;
    cursor?: number;
  }): Promise<{ items: StoredDeployment[]; nextCursor?: number }> {
    const query = this.db<DeploymentRow>('deployments')
      .where({ entity_ref: options.entityRef })
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.environment) query.where({ environment: options.environment });
    if (options.status) query.where({ status: options.status });
    if (options.cursor !== undefined) query.where('seq', '<', options.cursor);
    const rows = await query;
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toDeployment),
      nextCursor:
        rows.length > options.limit
          ? Number(page[page.length - 1].seq)
          : undefined,
    };
  }

  async insertApproval(approval: ApprovalRequest): Promise<void> {
    await this.db('approvals').insert({
      id: approval.id,
      entity_ref: approval.entityRef,
      from_environment: approval.fromEnvironment,
      to_environment: approval.toEnvironment,
      image: approval.image,
      requested_by: approval.requestedBy,
      status: approval.status,
      decided_by: approval.decidedBy ?? null,
      decided_at: approval.decidedAt ?? null,
      decision_reason: approval.decisionReason ?? null,
      created_at: approval.createdAt,
      deployment_id: approval.deploymentId ?? null,
    });
  }

  async getApproval(id: string): Promise<ApprovalRequest | undefined> {
    const row = await this.db<ApprovalRow>('approvals').where({ id }).first();
    return row && toApproval(row);
  }

  async listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus; limit: number },
  ): Promise<ApprovalRequest[]> {
    const query = this.db<ApprovalRow>('approvals')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(options.limit);
    if (options.status) query.andWhere({ status: options.status });
    return (await query).map(toApproval);
  }

  /**
   * Moves a pending approval to `status`; false when it was no longer pending
   * (someone else decided first).
   */
  async decideApproval(
    id: string,
    decision: { status: ApprovalStatus; decidedBy: string; reason?: string },
  ): Promise<boolean> {
    const updated = await this.db('approvals')
      .where({ id, status: 'pending' })
      .update({
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: new Date().toISOString(),
        decision_reason: decision.reason ?? null,
      });
    return updated === 1;
  }

  /** Puts an approval back to pending, when the deploy it started could not start. */
  async reopenApproval(id: string): Promise<void> {
    await this.db('approvals').where({ id }).update({
      status: 'pending',
      decided_by: null,
      decided_at: null,
      decision_reason: null,
    });
  }

  async setApprovalDeployment(id: string, deploymentId: string): Promise<void> {
    await this.db('approvals')
      .where({ id })
      .update({ deployment_id: deploymentId });
  }

  async addAuditEvent(event: DeploymentAuditEvent): Promise<void> {
    await this.db('audit_events').insert({
      id: event.id,
      created_at: event.createdAt,
      actor: event.actor,
      action: event.action,
      entity_ref: event.entityRef,
      environment: event.environment ?? null,
      image: event.image ?? null,
      result: event.result,
      message: event.message ?? null,
      deployment_id: event.deploymentId ?? null,
      approval_id: event.approvalId ?? null,
    });
  }

  async listAuditEvents(
    entityRef: string,
    limit: number,
  ): Promise<DeploymentAuditEvent[]> {
    const rows = await this.db<AuditRow>('audit_events')
      .where({ entity_ref: entityRef })
      .orderBy('seq', 'desc')
      .limit(limit);
    return rows.map(toAuditEvent);
  }
}
