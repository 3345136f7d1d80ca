import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  Deployment,
  PAVED_ACTOR,
  RolloutFailureReason,
} from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClient,
  RolloutFailedError,
} from '@paved/plugin-provisioning-node';
import { DeploymentStore, StoredDeployment } from '../DeploymentStore';
import { DeploymentAuditWriter, errorMessage } from './audit';
import { StartDeploymentRequest } from './types';
import type { DeploymentNotifier } from '../Notifications';

/** How often the watcher renews the lock of a rollout it watches (default). */
export const DEFAULT_LOCK_HEARTBEAT_MS = 30_000;

/** What the watcher needs to roll a failed rollout back: the service's own deploy. */
export interface Redeployer {
  /** The entity, read with the backend's own credentials; undefined when it left the catalog. */
  getEntity(entityRef: string): Promise<Entity | undefined>;
  startDeployment(
    entity: Entity,
    request: StartDeploymentRequest,
  ): Promise<Deployment>;
}

/**
 * Watches rollouts in the background: records how each ended (once), renews
 * and releases its lock, and rolls a failed one back when its environment
 * says so.
 */
export interface RolloutWatcher {
  watch(deployment: StoredDeployment, redeployer: Redeployer): void;
  /** Stops watching; in-flight deployments stay recorded and are resumed by the next `watch`. */
  stop(): void;
}

/** Why a rollout failed and the failing container's last lines, from a RolloutFailedError (told apart by name). */
export function failureOf(error: unknown): {
  failureReason?: RolloutFailureReason;
  logTail?: string;
} {
  if ((error as Error)?.name !== 'RolloutFailedError') return {};
  const failed = error as RolloutFailedError;
  return { failureReason: failed.reason, logTail: failed.diagnosis?.logTail };
}

/**
 * The automatic rollback of a failed deployment: the image that ran before
 * it, again (or, for a secret change, the secret version before it), as a
 * deployment of its own by `paved:automatic`. None when the
 * environment turned it off, nothing ran before, or the failed deployment
 * was itself an automatic rollback (docs/decisions/0005).
 */
export function automaticRollbackOf(
  failed: StoredDeployment,
  environment: Environment | undefined,
  failure: { failureReason?: RolloutFailureReason },
): (StartDeploymentRequest & { why: string }) | undefined {
  if (failed.secretChange) {
    // A secret change's restart failed: the secret goes back to the version before it.
    if (!environment?.autoRollback || failed.rollbackOf) return undefined;
    const toVersion = failed.secretChange.previousVersion ?? 0;
    const why = `deployment ${failed.id} (secrets version ${
      failed.secretChange.version
    }) failed${failure.failureReason ? ` (${failure.failureReason})` : ''}`;
    return {
      environment: failed.environment,
      image: failed.image,
      requestedBy: PAVED_ACTOR,
      message: `Automatic rollback of the secrets to ${
        toVersion ? `version ${toVersion}` : 'none of their own'
      }: ${why}`,
      rollbackOf: failed.id,
      secretChange: { type: 'restore', toVersion },
      why,
    };
  }
  const target = failed.previousImage;
  if (
    !environment?.autoRollback ||
    !target ||
    target === failed.image ||
    failed.rollbackOf
  ) {
    return undefined;
  }
  const why = `deployment ${failed.id} of ${failed.image} failed${
    failure.failureReason ? ` (${failure.failureReason})` : ''
  }`;
  return {
    environment: failed.environment,
    image: target,
    requestedBy: PAVED_ACTOR,
    message: `Automatic rollback to ${target}: ${why}`,
    rollbackOf: failed.id,
    why,
  };
}

export interface KubernetesRolloutWatcherOptions {
  /** Each environment's cluster: a rollout is watched where it happens. */
  clusters: {
    forEnvironment(
      environment: string,
    ): Pick<KubernetesClient, 'waitForRollout'>;
  };
  store: Pick<
    DeploymentStore,
    'finishDeployment' | 'releaseLock' | 'heartbeatLock'
  >;
  audit: DeploymentAuditWriter;
  environments: Environment[];
  logger: LoggerService;
  /** How long a rollout may take before it is recorded as failed. */
  timeoutMs: number;
  /** How often the lock of a watched rollout is renewed (default 30 s). */
  heartbeatMs?: number;
  /**
   * Runs once a rollout succeeded, before it is recorded (e.g. a database
   * password rotation retires the old login); what it returns is added to
   * the deployment's message. A failure is said there too; the rollout
   * still succeeded.
   */
  afterSuccess?: (deployment: StoredDeployment) => Promise<string | undefined>;
  /** Tells the owners of a failed production deploy; none: nobody is told. */
  notifier?: Pick<DeploymentNotifier, 'deploymentFailed'>;
}

/** Watches each rollout with a Kubernetes watch, as `kubectl rollout status` does. */
export class KubernetesRolloutWatcher implements RolloutWatcher {
  private readonly watches = new Set<AbortController>();

  constructor(private readonly options: KubernetesRolloutWatcherOptions) {}

  stop() {
    for (const controller of this.watches) controller.abort();
    this.watches.clear();
  }

  watch(deployment: StoredDeployment, redeployer: Redeployer): void {
    const { clusters, logger } = this.options;
    const controller = new AbortController();
    this.watches.add(controller);
    const heartbeat = this.startHeartbeat(deployment, controller.signal);
    // Async, so that an unknown environment fails the rollout like any other error.
    (async () =>
      clusters
        .forEnvironment(deployment.environment)
        .waitForRollout(deployment.namespace, deployment.workload, {
          timeoutMs: this.options.timeoutMs,
          signal: controller.signal,
        }))()
      .then(
        async status => {
          const note = await this.afterSuccess(deployment);
          return this.finish(deployment, {
            status: 'succeeded',
            message: `${deployment.message}. ${status.message}${
              note ? `; ${note}` : ''
            }`,
            revision: status.revision,
          });
        },
        async error => {
          if (controller.signal.aborted) return;
          const failure = failureOf(error);
          const recorded = await this.finish(deployment, {
            status: 'failed',
            message: `${deployment.message}. ${errorMessage(error)}`,
            ...failure,
          });
          if (recorded) {
            if (this.options.notifier) {
              const entity = await redeployer
                .getEntity(deployment.entityRef)
                .catch(() => undefined);
              await this.options.notifier.deploymentFailed(
                deployment,
                entity,
                errorMessage(error),
              );
            }
            await this.rollBackAutomatically(deployment, failure, redeployer);
          }
        },
      )
      .catch(error =>
        logger.error(
          `Could not record the end of deployment ${
            deployment.id
          }: ${errorMessage(error)}`,
        ),
      )
      .finally(() => {
        clearInterval(heartbeat);
        this.watches.delete(controller);
      });
  }

  private async afterSuccess(
    deployment: StoredDeployment,
  ): Promise<string | undefined> {
    if (!this.options.afterSuccess) return undefined;
    try {
      return await this.options.afterSuccess(deployment);
    } catch (error) {
      this.options.logger.warn(
        `After the rollout of deployment ${deployment.id}: ${errorMessage(
          error,
        )}`,
      );
      return `but: ${errorMessage(error)}`;
    }
  }

  /** Renews the deployment's lock while its rollout is watched, so no other deploy takes it over. */
  private startHeartbeat(deployment: StoredDeployment, signal: AbortSignal) {
    const beat = () => {
      if (signal.aborted) return;
      this.options.store
        .heartbeatLock(
          deployment.entityRef,
          deployment.environment,
          deployment.id,
        )
        .catch(error =>
          this.options.logger.warn(
            `Could not renew the lock of deployment ${
              deployment.id
            }: ${errorMessage(error)}`,
          ),
        );
    };
    beat();
    const timer = setInterval(
      beat,
      this.options.heartbeatMs ?? DEFAULT_LOCK_HEARTBEAT_MS,
    );
    timer.unref?.();
    return timer;
  }

  /** Records how a rollout ended, once; false when another watcher recorded it first. */
  private async finish(
    deployment: StoredDeployment,
    outcome: {
      status: 'succeeded' | 'failed';
      message: string;
      revision?: number;
      failureReason?: RolloutFailureReason;
      logTail?: string;
    },
  ): Promise<boolean> {
    const { store, audit } = this.options;
    if (!(await store.finishDeployment(deployment.id, outcome))) return false;
    await store.releaseLock(
      deployment.entityRef,
      deployment.environment,
      deployment.id,
    );
    await audit.record({
      actor: deployment.requestedBy,
      action: 'rollout',
      entityRef: deployment.entityRef,
      environment: deployment.environment,
      image: deployment.image,
      result: outcome.status,
      message: outcome.message,
      deploymentId: deployment.id,
    });
    return true;
  }

  private async rollBackAutomatically(
    failed: StoredDeployment,
    failure: { failureReason?: RolloutFailureReason },
    redeployer: Redeployer,
  ): Promise<void> {
    const environment = this.options.environments.find(
      e => e.name === failed.environment,
    );
    const rollback = automaticRollbackOf(failed, environment, failure);
    if (!rollback) return;
    const entity = await redeployer.getEntity(failed.entityRef);
    if (!entity) return;
    const { why, ...request } = rollback;
    await this.options.audit
      .audited(
        {
          actor: PAVED_ACTOR,
          action: 'rollback',
          entityRef: failed.entityRef,
          environment: failed.environment,
          image: request.image,
          message: `Automatic rollback: ${why}`,
        },
        () => redeployer.startDeployment(entity, request),
        deployment => deployment.id,
      )
      .catch(error =>
        this.options.logger.warn(
          `Could not roll back ${failed.entityRef} in ${
            failed.environment
          } after ${why}: ${errorMessage(error)}`,
        ),
      );
  }
}
