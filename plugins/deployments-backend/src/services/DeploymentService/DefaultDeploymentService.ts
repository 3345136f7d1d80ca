// Over 400 lines: every deployment use case (deploy, promote, approve/reject, rollback, the
// rollout watch and the automatic rollback) still lives here; issue 11 splits the watch, the
// approver rule, the audit writing and the workload copy into modules of their own.
import {
  AuditorService,
  AuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ApprovalRequest,
  ApprovalStatus,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  deploymentApprovePermission,
  deploymentCreatePermission,
  deploymentPromotePermission,
  deploymentRollbackPermission,
  EnvironmentStatus,
  PAVED_ACTOR,
  PromotionResult,
  RolloutFailureReason,
  validateImageReference,
} from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClient,
  parseVaultPath,
  RolloutFailedError,
  secretFromVault,
  serviceUrlFor,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { ServiceHealthProbe } from '../ServiceHealth';
import { randomUUID } from 'node:crypto';
import { workloadObjectsFrom } from './workloadCopy';
import { DeploymentStore, StoredDeployment } from '../DeploymentStore';
import {
  Caller,
  DeploymentService,
  DeployRequest,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
} from './types';

/** The annotation naming a service's namespace in one environment. */
export const namespaceAnnotation = (environment: string) =>
  `paved.dev/kubernetes-namespace-${environment}`;
const VAULT_PATH_ANNOTATION = 'paved.dev/vault-path';
const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** Field manager of the image changes, so the golden path's own fields stay its own. */
export const DEPLOYMENTS_FIELD_MANAGER = 'paved-deployments';
/** Members of this group may approve any promotion. */
export const PLATFORM_TEAM = 'group:default/platform-team';

export interface DefaultDeploymentServiceOptions {
  environments: Environment[];
  store: DeploymentStore;
  catalog: CatalogService;
  kubernetes: KubernetesClient;
  vault: VaultClient;
  permissions: PermissionsService;
  auth: AuthService;
  userInfo: UserInfoService;
  logger: LoggerService;
  auditor?: AuditorService;
  /** How long a rollout may take before it is recorded as failed (default 10 minutes). */
  rolloutTimeoutMs?: number;
  /** Asks each environment's running service for its health and version; none: not asked. */
  healthProbe?: ServiceHealthProbe;
}

const toApi = ({
  namespace: _namespace,
  workload: _workload,
  ...deployment
}: StoredDeployment): Deployment => deployment;

const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** Why a rollout failed and the failing container's last lines, from a RolloutFailedError (told apart by name). */
function failureOf(error: unknown): {
  failureReason?: RolloutFailureReason;
  logTail?: string;
} {
  if ((error as Error)?.name !== 'RolloutFailedError') return {};
  const failed = error as RolloutFailedError;
  return { failureReason: failed.reason, logTail: failed.diagnosis?.logTail };
}

/**
 * Deploys through server-side apply on the environment's cluster, serialized
 * per entity and environment by a lock in the database, and watches each
 * rollout in the background until it succeeds or fails.
 */
export class DefaultDeploymentService implements DeploymentService {
  private readonly watches = new Set<AbortController>();
  private readonly rolloutTimeoutMs: number;

  constructor(private readonly options: DefaultDeploymentServiceOptions) {
    this.rolloutTimeoutMs = options.rolloutTimeoutMs ?? 10 * 60_000;
  }

  /** Watches again the rollouts that a stopped backend left in flight. */
  async resumeRollouts(): Promise<void> {
    for (const deployment of await this.options.store.listInFlight()) {
      this.options.logger.info(
        `Resuming the watch of deployment ${deployment.id} (${deployment.entityRef} to ${deployment.environment})`,
      );
      this.watch(deployment);
    }
  }

  /** Stops watching; in-flight deployments stay recorded and are resumed at the next start. */
  stop() {
    for (const controller of this.watches) controller.abort();
    this.watches.clear();
  }

  async deploy(request: DeployRequest, caller: Caller): Promise<Deployment> {
    const user = this.requireUser(caller);
    const entity = await this.getEntity(request.entityRef, caller);
    const entityRef = stringifyEntityRef(entity);
    const environment = this.environment(request.environment);
    if (environment.requiresApproval) {
      // Production runs only what ran before it, and only with an approval.
      throw new InputError(
        `environment: ${
          environment.name
        } requires an approval, so it is not deployed to directly; deploy to ${this.firstEnvironmentWithoutApproval()} and promote from there (POST /promotions)`,
      );
    }
    await this.authorize(deploymentCreatePermission, entityRef, caller);
    return this.audited(
      {
        actor: user,
        action: 'deploy',
        entityRef,
        environment: request.environment,
        image: request.image,
      },
      () =>
        this.startDeployment(entity, {
          environment: request.environment,
          image: request.image,
          replicas: request.replicas,
          requestedBy: user,
          message: `Deploy ${request.image} requested by ${user}`,
        }),
      deployment => deployment.id,
    );
  }

  async listEnvironments(
    entityRef: string,
    caller: Caller,
  ): Promise<EnvironmentStatus[]> {
    const entity = await this.getEntity(entityRef, caller);
    const ref = stringifyEntityRef(entity);
    const workload = this.workloadOf(entity);
    // Every environment at once: its Deployment and its newest history row.
    return Promise.all(
      this.options.environments.map(
        async (environment): Promise<EnvironmentStatus> => {
          const namespace = this.namespaceOf(entity, environment.name);
          const url = serviceUrlFor(environment, workload, namespace);
          const [live, last, health] = await Promise.all([
            this.options.kubernetes.getRolloutStatus(namespace, workload),
            this.options.store.listDeployments({
              entityRef: ref,
              environment: environment.name,
              limit: 1,
            }),
            url && this.options.healthProbe
              ? this.options.healthProbe.probe(url)
              : undefined,
          ]);
          return {
            url,
            health: live ? health : undefined,
            environment: environment.name,
            namespace,
            requiresApproval: environment.requiresApproval,
            image: live?.image,
            replicas: live?.replicas ?? {
              desired: 0,
              ready: 0,
              updated: 0,
              available: 0,
            },
            rolloutState: live?.state ?? 'not-deployed',
            rolloutMessage: live?.message,
            lastDeployment: last.items[0] && toApi(last.items[0]),
          };
        },
      ),
    );
  }

  async listDeployments(
    entityRef: string,
    options: ListDeploymentsOptions,
    caller: Caller,
  ): Promise<DeploymentPage> {
    const entity = await this.getEntity(entityRef, caller);
    if (options.environment) this.environment(options.environment);
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InputError('limit: must be a whole number from 1 to 100');
    }
    let cursor: number | undefined;
    if (options.cursor !== undefined) {
      cursor = Number(options.cursor);
      if (!/^\d+$/.test(options.cursor) || !Number.isSafeInteger(cursor)) {
        throw new InputError(
          `cursor: "${options.cursor}" is not a cursor this API returned`,
        );
      }
    }
    const page = await this.options.store.listDeployments({
      entityRef: stringifyEntityRef(entity),
      environment: options.environment,
      limit,
      cursor,
    });
    return {
      items: page.items.map(toApi),
      nextCursor:
        page.nextCursor === undefined ? undefined : String(page.nextCursor),
    };
  }

  async getDeployment(id: string, caller: Caller): Promise<Deployment> {
    const deployment = await this.options.store.getDeployment(id);
    if (!deployment) throw new NotFoundError(`No deployment ${id}`);
    await this.getEntity(deployment.entityRef, caller);
    return toApi(deployment);
  }

  async promote(
    request: PromoteRequest,
    caller: Caller,
  ): Promise<PromotionResult> {
    const user = this.requireUser(caller);
    const entity = await this.getEntity(request.entityRef, caller);
    const entityRef = stringifyEntityRef(entity);
    const from = this.environment(request.from, 'from');
    const to = this.environment(request.to, 'to');
    if (from.name === to.name) {
      throw new InputError(
        `to: promote to another environment than ${from.name}`,
      );
    }
    this.namespaceOf(entity, to.name);
    await this.authorize(deploymentPromotePermission, entityRef, caller);
    const image = await this.imageIn(entity, from.name);
    if (!to.requiresApproval) {
      const deployment = await this.audited(
        {
          actor: user,
          action: 'promote',
          entityRef,
          environment: to.name,
          image,
        },
        () =>
          this.startDeployment(entity, {
            environment: to.name,
            image,
            requestedBy: user,
            message: `Promotion of ${image} from ${from.name} requested by ${user}`,
            sourceEnvironment: from.name,
          }),
        d => d.id,
      );
      return { type: 'deployment', deployment };
    }
    const approval: ApprovalRequest = {
      id: randomUUID(),
      entityRef,
      fromEnvironment: from.name,
      toEnvironment: to.name,
      image,
      requestedBy: user,
      status: 'pending',
      createdAt: new Date().toISOString(),
    };
    await this.audited(
      {
        actor: user,
        action: 'promote',
        entityRef,
        environment: to.name,
        image,
        approvalId: approval.id,
        pendingMessage: `${to.name} requires approval: approval ${approval.id} is pending`,
      },
      () => this.options.store.insertApproval(approval),
    );
    return { type: 'approval', approval };
  }

  async getApproval(id: string, caller: Caller): Promise<ApprovalRequest> {
    const approval = await this.options.store.getApproval(id);
    if (!approval) throw new NotFoundError(`No approval request ${id}`);
    await this.getEntity(approval.entityRef, caller);
    return approval;
  }

  async approve(
    id: string,
    caller: Caller,
  ): Promise<{ approval: ApprovalRequest; deployment: Deployment }> {
    return this.decide(
      id,
      'approved',
      caller,
      async ({ approval, entity, user }) => {
        let deployment: Deployment;
        try {
          deployment = await this.startDeployment(entity, {
            environment: approval.toEnvironment,
            image: approval.image,
            requestedBy: approval.requestedBy,
            message: `Promotion of ${approval.image} from ${approval.fromEnvironment} requested by ${approval.requestedBy}, approved by ${user}`,
            sourceEnvironment: approval.fromEnvironment,
          });
        } catch (error) {
          await this.options.store.reopenApproval(id);
          throw error;
        }
        await this.options.store.setApprovalDeployment(id, deployment.id);
        return {
          approval: (await this.options.store.getApproval(id))!,
          deployment,
        };
      },
      result => result.deployment.id,
    );
  }

  async reject(id: string, caller: Caller): Promise<ApprovalRequest> {
    return this.decide(
      id,
      'rejected',
      caller,
      async () => (await this.options.store.getApproval(id))!,
    );
  }

  /**
   * Decides a pending approval as the caller, audited: checks the decider,
   * records the decision (once: a concurrent decision is a 409), then runs
   * `after` (an approval's deploy).
   */
  private async decide<T>(
    id: string,
    status: 'approved' | 'rejected',
    caller: Caller,
    after: (decided: {
      approval: ApprovalRequest;
      entity: Entity;
      user: string;
    }) => Promise<T>,
    deploymentIdOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const { user, approval, entity } = await this.loadApproval(id, caller);
    return this.audited(
      {
        actor: user,
        action: status === 'approved' ? 'approve' : 'reject',
        entityRef: approval.entityRef,
        environment: approval.toEnvironment,
        image: approval.image,
        approvalId: id,
      },
      async () => {
        await this.checkDecider(user, approval, entity, caller);
        if (
          !(await this.options.store.decideApproval(id, {
            status,
            decidedBy: user,
          }))
        ) {
          throw new ConflictError(`Approval ${id} was decided meanwhile`);
        }
        return after({ approval, entity, user });
      },
      deploymentIdOf,
    );
  }

  async listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus },
    caller: Caller,
  ): Promise<ApprovalRequest[]> {
    const entity = await this.getEntity(entityRef, caller);
    return this.options.store.listApprovals(stringifyEntityRef(entity), {
      status: options.status,
      limit: 100,
    });
  }

  async rollback(
    request: RollbackRequest,
    caller: Caller,
  ): Promise<Deployment> {
    const user = this.requireUser(caller);
    const entity = await this.getEntity(request.entityRef, caller);
    const entityRef = stringifyEntityRef(entity);
    this.environment(request.environment);
    const target = await this.options.store.getDeployment(
      request.toDeploymentId,
    );
    if (
      !target ||
      target.entityRef !== entityRef ||
      target.environment !== request.environment
    ) {
      throw new NotFoundError(
        `toDeploymentId: no deployment ${request.toDeploymentId} of ${entityRef} to ${request.environment}`,
      );
    }
    if (target.status !== 'succeeded') {
      throw new InputError(
        `toDeploymentId: deployment ${target.id} ${
          target.status === 'failed' ? 'failed' : 'has not finished'
        }; roll back to one that succeeded`,
      );
    }
    await this.authorize(deploymentRollbackPermission, entityRef, caller);
    return this.audited(
      {
        actor: user,
        action: 'rollback',
        entityRef,
        environment: request.environment,
        image: target.image,
      },
      () =>
        this.startDeployment(entity, {
          environment: request.environment,
          image: target.image,
          requestedBy: user,
          message: `Rollback to ${target.image} (deployment ${target.id}) requested by ${user}`,
        }),
      deployment => deployment.id,
    );
  }

  async listAuditEvents(
    entityRef: string,
    caller: Caller,
  ): Promise<DeploymentAuditEvent[]> {
    const entity = await this.getEntity(entityRef, caller);
    return this.options.store.listAuditEvents(stringifyEntityRef(entity), 100);
  }

  // ---------------------------------------------------------------------------

  /**
   * Changes the image of the entity's Deployment in the environment's
   * namespace and refreshes its Secret from Vault, holding the
   * entity+environment lock until the rollout ends. Nothing is recorded
   * unless the apiserver took the change.
   */
  private async startDeployment(
    entity: Entity,
    request: {
      environment: string;
      image: string;
      replicas?: number;
      requestedBy: string;
      message: string;
      /** Where a promotion comes from: the first one into an environment copies the service's objects from there. */
      sourceEnvironment?: string;
      /** An automatic rollback: the deployment whose failed rollout it undoes. */
      rollbackOf?: string;
    },
  ): Promise<Deployment> {
    const { kubernetes, store } = this.options;
    const environment = this.environment(request.environment);
    const namespace = this.namespaceOf(entity, environment.name);
    const validation = validateImageReference(request.image);
    if (!validation.valid) throw new InputError(validation.error);
    const entityRef = stringifyEntityRef(entity);
    const workload = this.workloadOf(entity);
    const id = randomUUID();
    await store.acquireLock(entityRef, environment.name, id);
    try {
      // Independent reads, at once: they are most of a deploy's latency.
      const [liveBefore, secret] = await Promise.all([
        kubernetes.getRolloutStatus(namespace, workload),
        this.secretOf(entity, workload),
      ]);
      let live = liveBefore;
      let message = request.message;
      if (!live && request.sourceEnvironment) {
        const objects = await workloadObjectsFrom(kubernetes, {
          from: this.namespaceOf(entity, request.sourceEnvironment),
          to: namespace,
          workload,
          image: request.image,
        });
        // As the golden path's manager: these are its objects, copied.
        await kubernetes.apply(objects, { namespace });
        message += `; first deploy to ${environment.name}: ${objects
          .map(o => `${o.kind} ${o.metadata?.name}`)
          .join(', ')} copied from ${request.sourceEnvironment}`;
        live = await kubernetes.getRolloutStatus(namespace, workload);
      }
      if (!live) {
        throw new ConflictError(
          `Deployment ${workload} does not exist in namespace ${namespace} yet; run the Create Service template (templates/create-service), whose first deploy creates it`,
        );
      }
      if (secret.object) {
        await kubernetes.apply([secret.object], { namespace });
      }
      if (secret.note) message += `; ${secret.note}`;
      const patch: KubernetesObject & Record<string, unknown> = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: workload, namespace },
        spec: {
          ...(request.replicas === undefined
            ? {}
            : { replicas: request.replicas }),
          template: {
            spec: {
              containers: [
                { name: live.container ?? workload, image: request.image },
              ],
            },
          },
        },
      };
      await kubernetes.apply([patch], {
        namespace,
        fieldManager: DEPLOYMENTS_FIELD_MANAGER,
      });
      const deployment: StoredDeployment = {
        id,
        entityRef,
        environment: environment.name,
        namespace,
        workload,
        image: request.image,
        replicas: request.replicas,
        status: 'rolling-out',
        requestedBy: request.requestedBy,
        createdAt: new Date().toISOString(),
        message,
        previousImage: liveBefore?.image,
        rollbackOf: request.rollbackOf,
      };
      await store.insertDeployment(deployment);
      this.watch(deployment);
      return toApi(deployment);
    } catch (error) {
      await store.releaseLock(entityRef, environment.name, id);
      throw error;
    }
  }

  /**
   * The `<workload>-secrets` Secret built from the entity's
   * `paved.dev/vault-path`, and what to say about it; nothing for an entity
   * without one.
   */
  private async secretOf(
    entity: Entity,
    workload: string,
  ): Promise<{ object?: KubernetesObject; note?: string }> {
    const vaultPath = entity.metadata.annotations?.[VAULT_PATH_ANNOTATION];
    if (!vaultPath) return {};
    const source = parseVaultPath(vaultPath);
    if (!source) {
      throw new InputError(
        `${VAULT_PATH_ANNOTATION} "${vaultPath}" of ${stringifyEntityRef(
          entity,
        )} is not <mount>/<path>`,
      );
    }
    const name = `${workload}-secrets`;
    const secret = await secretFromVault(this.options.vault, {
      name,
      ...source,
    }).catch(error => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!secret) {
      return {
        note: `Vault ${vaultPath} holds no secrets, Secret ${name} left as it was`,
      };
    }
    return {
      object: secret.secret,
      note: `Secret ${name} refreshed from Vault ${vaultPath} (keys ${secret.keys.join(
        ', ',
      )})`,
    };
  }

  /**
   * Watches a rollout in the background, records how it ended, releases the
   * lock, and rolls a failed rollout back when its environment says so.
   */
  private watch(deployment: StoredDeployment) {
    const controller = new AbortController();
    this.watches.add(controller);
    this.options.kubernetes
      .waitForRollout(deployment.namespace, deployment.workload, {
        timeoutMs: this.rolloutTimeoutMs,
        signal: controller.signal,
      })
      .then(
        status =>
          this.finish(deployment, {
            status: 'succeeded',
            message: `${deployment.message}. ${status.message}`,
            revision: status.revision,
          }),
        async error => {
          if (controller.signal.aborted) return;
          const failure = failureOf(error);
          const recorded = await this.finish(deployment, {
            status: 'failed',
            message: `${deployment.message}. ${errorMessage(error)}`,
            ...failure,
          });
          if (recorded) await this.rollBackAutomatically(deployment, failure);
        },
      )
      .catch(error =>
        this.options.logger.error(
          `Could not record the end of deployment ${
            deployment.id
          }: ${errorMessage(error)}`,
        ),
      )
      .finally(() => this.watches.delete(controller));
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
    if (!(await this.options.store.finishDeployment(deployment.id, outcome))) {
      return false;
    }
    await this.options.store.releaseLock(
      deployment.entityRef,
      deployment.environment,
      deployment.id,
    );
    await this.recordAudit({
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

  /**
   * After a failed rollout, deploys the image that ran before it again, as
   * its own deployment and audit event (actor `paved:automatic`). Not when
   * the environment turned it off, nothing ran before, or the failed
   * deployment was itself an automatic rollback.
   */
  private async rollBackAutomatically(
    failed: StoredDeployment,
    failure: { failureReason?: RolloutFailureReason },
  ): Promise<void> {
    const environment = this.environment(failed.environment);
    const target = failed.previousImage;
    if (
      !environment.autoRollback ||
      !target ||
      target === failed.image ||
      failed.rollbackOf
    ) {
      return;
    }
    const entity = await this.options.catalog.getEntityByRef(failed.entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (!entity) return;
    const why = `deployment ${failed.id} of ${failed.image} failed${
      failure.failureReason ? ` (${failure.failureReason})` : ''
    }`;
    await this.audited(
      {
        actor: PAVED_ACTOR,
        action: 'rollback',
        entityRef: failed.entityRef,
        environment: failed.environment,
        image: target,
        message: `Automatic rollback: ${why}`,
      },
      () =>
        this.startDeployment(entity, {
          environment: failed.environment,
          image: target,
          requestedBy: PAVED_ACTOR,
          message: `Automatic rollback to ${target}: ${why}`,
          rollbackOf: failed.id,
        }),
      deployment => deployment.id,
    ).catch(error =>
      this.options.logger.warn(
        `Could not roll back ${failed.entityRef} in ${
          failed.environment
        } after ${why}: ${errorMessage(error)}`,
      ),
    );
  }

  /** Runs an action, writing an audit row and an auditor event for its outcome. */
  private async audited<T>(
    event: Omit<DeploymentAuditEvent, 'id' | 'createdAt' | 'result'> & {
      pendingMessage?: string;
    },
    action: () => Promise<T>,
    deploymentIdOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const { pendingMessage, ...fields } = event;
    const auditorEvent = await this.options.auditor?.createEvent({
      eventId: `deployment-${event.action}`,
      severityLevel: event.action === 'approve' ? 'high' : 'medium',
      meta: {
        actor: event.actor,
        entityRef: event.entityRef,
        environment: event.environment ?? null,
        image: event.image ?? null,
      },
    });
    try {
      const result = await action();
      const deploymentId = deploymentIdOf?.(result);
      await this.recordAudit({
        ...fields,
        result: pendingMessage ? 'pending' : 'succeeded',
        message: pendingMessage ?? fields.message,
        deploymentId,
      });
      await auditorEvent?.success({
        meta: deploymentId ? { deploymentId } : undefined,
      });
      return result;
    } catch (error) {
      await this.recordAudit({
        ...fields,
        result: 'failed',
        message: errorMessage(error),
      });
      await auditorEvent?.fail({ error: error as Error });
      throw error;
    }
  }

  private async recordAudit(
    event: Omit<DeploymentAuditEvent, 'id' | 'createdAt'>,
  ): Promise<void> {
    await this.options.store.addAuditEvent({
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      ...event,
    });
  }

  private async loadApproval(id: string, caller: Caller) {
    const user = this.requireUser(caller);
    const approval = await this.options.store.getApproval(id);
    if (!approval) throw new NotFoundError(`No approval request ${id}`);
    const entity = await this.getEntity(approval.entityRef, caller);
    return { user, approval, entity };
  }

  /**
   * Checks that the approval is pending and the caller may decide it: a
   * member of the owning group or the platform team, never the requester.
   */
  private async checkDecider(
    user: string,
    approval: ApprovalRequest,
    entity: Entity,
    caller: Caller,
  ) {
    const id = approval.id;
    await this.authorize(
      deploymentApprovePermission,
      approval.entityRef,
      caller,
    );
    if (approval.status !== 'pending') {
      throw new ConflictError(
        `Approval ${id} is already ${approval.status}${
          approval.decidedBy ? ` by ${approval.decidedBy}` : ''
        }`,
      );
    }
    if (approval.requestedBy === user) {
      throw new NotAllowedError(
        `${user} requested this promotion and may not decide it; another member of the owning group or of ${PLATFORM_TEAM} must`,
      );
    }
    const owners = this.ownersOf(entity);
    const groups = await this.groupsOf(user, caller);
    if (![...owners, PLATFORM_TEAM].some(ref => groups.has(ref))) {
      throw new NotAllowedError(
        `${user} may not decide promotions of ${
          approval.entityRef
        }: only members of ${[...owners, PLATFORM_TEAM].join(' or ')} may`,
      );
    }
    return { user, approval, entity };
  }

  private ownersOf(entity: Entity): string[] {
    const owners = new Set<string>();
    const namespace = entity.metadata.namespace ?? 'default';
    const owner = entity.spec?.owner;
    if (typeof owner === 'string') {
      owners.add(
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: namespace,
          }),
        ).toLocaleLowerCase('en-US'),
      );
    }
    for (const relation of entity.relations ?? []) {
      if (relation.type === 'ownedBy') {
        owners.add(relation.targetRef.toLocaleLowerCase('en-US'));
      }
    }
    return [...owners];
  }

  /** The user and every group the user belongs to, as lowercased entity refs. */
  private async groupsOf(user: string, caller: Caller): Promise<Set<string>> {
    const refs = new Set<string>([user.toLocaleLowerCase('en-US')]);
    const add = (ref: string) => refs.add(ref.toLocaleLowerCase('en-US'));
    try {
      const info = await this.options.userInfo.getUserInfo(caller.credentials);
      info.ownershipEntityRefs.forEach(add);
    } catch {
      // Not every token carries ownership; the catalog below does.
    }
    const userEntity = await this.options.catalog.getEntityByRef(user, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (userEntity) {
      for (const relation of userEntity.relations ?? []) {
        if (relation.type === 'memberOf') add(relation.targetRef);
      }
      const memberOf = userEntity.spec?.memberOf;
      if (Array.isArray(memberOf)) {
        for (const group of memberOf) {
          if (typeof group !== 'string') continue;
          add(
            stringifyEntityRef(
              parseEntityRef(group, {
                defaultKind: 'group',
                defaultNamespace: userEntity.metadata.namespace ?? 'default',
              }),
            ),
          );
        }
      }
    }
    return refs;
  }

  /** The image running in an environment: the last successful deployment's, else the live one. */
  private async imageIn(entity: Entity, environment: string): Promise<string> {
    const entityRef = stringifyEntityRef(entity);
    const last = await this.options.store.listDeployments({
      entityRef,
      environment,
      status: 'succeeded',
      limit: 1,
    });
    if (last.items[0]) return last.items[0].image;
    const live = await this.options.kubernetes.getRolloutStatus(
      this.namespaceOf(entity, environment),
      this.workloadOf(entity),
    );
    if (!live?.image) {
      throw new ConflictError(
        `from: nothing runs in ${environment} yet to promote; deploy ${entityRef} there first`,
      );
    }
    return live.image;
  }

  private requireUser(caller: Caller): string {
    if (!caller.userEntityRef) {
      throw new NotAllowedError('Only a signed-in user may do this');
    }
    return caller.userEntityRef;
  }

  private async getEntity(entityRef: string, caller: Caller): Promise<Entity> {
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(entityRef, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(`entityRef: ${errorMessage(error)}`);
    }
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials: caller.credentials,
    });
    if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
    return entity;
  }

  private environment(name: string, field = 'environment'): Environment {
    const environment = this.options.environments.find(e => e.name === name);
    if (!environment) {
      throw new InputError(
        `${field}: unknown environment "${name}"; known: ${this.options.environments
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    return environment;
  }

  private firstEnvironmentWithoutApproval(): string {
    return (
      this.options.environments.find(e => !e.requiresApproval)?.name ??
      'an environment without approval'
    );
  }

  private namespaceOf(entity: Entity, environment: string): string {
    const annotation = namespaceAnnotation(environment);
    const namespace = entity.metadata.annotations?.[annotation];
    if (!namespace) {
      throw new InputError(
        `${stringifyEntityRef(
          entity,
        )} is not on the golden path yet: it has no ${annotation} annotation. ` +
          'The Create Service template (templates/create-service) adds it, with the namespace, Vault path and first deploy.',
      );
    }
    return namespace;
  }

  private workloadOf(entity: Entity): string {
    return (
      entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ??
      entity.metadata.name
    );
  }

  private async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    caller: Caller,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} on ${entityRef}`,
      );
    }
  }
}
