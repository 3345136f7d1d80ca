// Over 400 lines: the eleven use cases of the deployments API (deploy, promote, approve,
// reject, rollback and the reads), each a short method with its validation, authorization
// and audit. Everything else is a part of its own: the deploy step (deployStep.ts), and,
// passed in through the options, the rollout watch, the approver rule, the audit writing,
// the workload copy and the store (docs/decisions/0008).
import {
  AuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
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
  PromotionResult,
} from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClusters,
  ProvisioningDefaults,
  serviceUrlFor,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { randomUUID } from 'node:crypto';
import { DeploymentStore, StoredDeployment } from '../DeploymentStore';
import { cursorOut, parsePage } from '../paging';
import { ServiceHealthProbe } from '../ServiceHealth';
import { ApproverRule } from './approverRule';
import { DeploymentAuditWriter } from './audit';
import { Redeployer, RolloutWatcher } from './rolloutWatcher';
import {
  Caller,
  DeploymentService,
  DeployRequest,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
  StartDeploymentRequest,
} from './types';
import { DeployStep, EnvironmentSecretWriter } from './deployStep';
import { environmentNamed, namespaceOf, workloadOf } from './goldenPath';
import { MonitoringPromoter } from './monitoringCopy';
import { WorkloadCopier } from './workloadCopy';
import { getCallerEntity, requireUser } from './callerEntity';
import type { DeploymentNotifier } from '../Notifications';

export interface DefaultDeploymentServiceOptions {
  environments: Environment[];
  store: DeploymentStore;
  catalog: CatalogService;
  /** Each environment's cluster (kubernetesClustersServiceRef). */
  clusters: Pick<KubernetesClusters, 'forEnvironment'>;
  vault: VaultClient;
  permissions: PermissionsService;
  auth: AuthService;
  logger: LoggerService;
  /** Watches each rollout, records its end and rolls a failed one back. */
  watcher: RolloutWatcher;
  /** Who may decide a promotion waiting for approval. */
  approverRule: ApproverRule;
  /** Writes the audit trail of every action. */
  audit: DeploymentAuditWriter;
  /** Creates a service's objects in an environment it is promoted into for the first time. */
  workloadCopier: WorkloadCopier;
  /** Carries a service's SLO rules, dashboard and ServiceMonitor into the environment it is promoted into. */
  monitoringPromoter?: MonitoringPromoter;
  /** Asks each environment's running service for its health and version; none: not asked. */
  healthProbe?: ServiceHealthProbe;
  /** Writes secret changes (and their automatic rollbacks) to Vault under the deploy lock; see SecretsService. */
  secretWriter?: EnvironmentSecretWriter;
  /** Tells approvers of a request and requesters of a decision; none: nobody is told. */
  notifier?: DeploymentNotifier;
  /** Where each cluster's pods reach the database server (paved.provisioning); none: as Vault says. */
  databaseAddresses?: Pick<ProvisioningDefaults, 'databaseAddress'>;
}

const toApi = ({
  namespace: _namespace,
  workload: _workload,
  ...deployment
}: StoredDeployment): Deployment => deployment;

/**
 * Deploys through server-side apply on the environment's cluster, serialized
 * per entity and environment by a lock in the store; the watcher follows
 * each rollout in the background until it succeeds or fails.
 */
export class DefaultDeploymentService implements DeploymentService {
  /** The service's own deploy, for the watcher's automatic rollbacks. */
  private readonly redeployer: Redeployer = {
    getEntity: async entityRef =>
      this.options.catalog.getEntityByRef(entityRef, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      }),
    startDeployment: (entity, request) => this.startDeployment(entity, request),
  };

  private readonly deployStep: DeployStep;

  constructor(private readonly options: DefaultDeploymentServiceOptions) {
    this.deployStep = new DeployStep(options);
  }

  /** Watches again the rollouts that a stopped backend left in flight. */
  async resumeRollouts(): Promise<void> {
    for (const deployment of await this.options.store.listInFlight()) {
      this.options.logger.info(
        `Resuming the watch of deployment ${deployment.id} (${deployment.entityRef} to ${deployment.environment})`,
      );
      this.options.watcher.watch(deployment, this.redeployer);
    }
  }

  /** Stops watching; in-flight deployments stay recorded and are resumed at the next start. */
  stop() {
    this.options.watcher.stop();
  }

  async deploy(request: DeployRequest, caller: Caller): Promise<Deployment> {
    const user = requireUser(caller);
    const entity = await getCallerEntity(
      this.options.catalog,
      request.entityRef,
      caller,
    );
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
    return this.options.audit.audited(
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
          userAgent: caller.userAgent,
        }),
      deployment => deployment.id,
    );
  }

  async listEnvironments(
    entityRef: string,
    caller: Caller,
  ): Promise<EnvironmentStatus[]> {
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    const ref = stringifyEntityRef(entity);
    const workload = this.workloadOf(entity);
    // Every environment at once: its Deployment and its newest history row.
    return Promise.all(
      this.options.environments.map(
        async (environment): Promise<EnvironmentStatus> => {
          const namespace = this.namespaceOf(entity, environment.name);
          const url = serviceUrlFor(environment, workload, namespace);
          const [live, last] = await Promise.all([
            this.options.clusters
              .forEnvironment(environment.name)
              .getRolloutStatus(namespace, workload),
            this.options.store.listDeployments({
              entityRef: ref,
              environment: environment.name,
              limit: 1,
            }),
          ]);
          // Only a service that runs there is asked how it is: a probe of one
          // that does not would wait on the gateway for nothing
          // (docs/benchmarks.md, `paved status`).
          const health =
            live && url && this.options.healthProbe
              ? await this.options.healthProbe.probe(url)
              : undefined;
          return {
            url,
            health,
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
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    if (options.environment) this.environment(options.environment);
    const { limit, cursor } = parsePage(options);
    const page = await this.options.store.listDeployments({
      entityRef: stringifyEntityRef(entity),
      environment: options.environment,
      limit,
      cursor,
    });
    return {
      items: page.items.map(toApi),
      nextCursor: cursorOut(page.nextCursor),
    };
  }

  async getDeployment(id: string, caller: Caller): Promise<Deployment> {
    const deployment = await this.options.store.getDeployment(id);
    if (!deployment) throw new NotFoundError(`No deployment ${id}`);
    await getCallerEntity(this.options.catalog, deployment.entityRef, caller);
    return toApi(deployment);
  }

  async promote(
    request: PromoteRequest,
    caller: Caller,
  ): Promise<PromotionResult> {
    const user = requireUser(caller);
    const entity = await getCallerEntity(
      this.options.catalog,
      request.entityRef,
      caller,
    );
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
      const deployment = await this.options.audit.audited(
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
            userAgent: caller.userAgent,
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
    await this.options.audit.audited(
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
    await this.options.notifier?.approvalRequested(approval, entity);
    return { type: 'approval', approval };
  }

  async getApproval(id: string, caller: Caller): Promise<ApprovalRequest> {
    const approval = await this.options.store.getApproval(id);
    if (!approval) throw new NotFoundError(`No approval request ${id}`);
    await getCallerEntity(this.options.catalog, approval.entityRef, caller);
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
            userAgent: caller.userAgent,
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

  async reject(
    id: string,
    caller: Caller,
    options: { reason?: string } = {},
  ): Promise<ApprovalRequest> {
    const reason = options.reason?.trim() || undefined;
    return this.decide(
      id,
      'rejected',
      caller,
      async () => (await this.options.store.getApproval(id))!,
      undefined,
      reason,
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
    reason?: string,
  ): Promise<T> {
    const { user, approval, entity } = await this.loadApproval(id, caller);
    return this.options.audit.audited(
      {
        actor: user,
        action: status === 'approved' ? 'approve' : 'reject',
        entityRef: approval.entityRef,
        environment: approval.toEnvironment,
        image: approval.image,
        approvalId: id,
        message: reason && `Rejected: ${reason}`,
      },
      async () => {
        await this.authorize(
          deploymentApprovePermission,
          approval.entityRef,
          caller,
        );
        await this.options.approverRule.check({
          user,
          approval,
          entity,
          credentials: caller.credentials,
        });
        if (
          !(await this.options.store.decideApproval(id, {
            status,
            decidedBy: user,
            reason,
          }))
        ) {
          throw new ConflictError(`Approval ${id} was decided meanwhile`);
        }
        const result = await after({ approval, entity, user });
        const decided = await this.options.store.getApproval(id);
        if (decided) await this.options.notifier?.approvalDecided(decided);
        return result;
      },
      deploymentIdOf,
    );
  }

  async listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus },
    caller: Caller,
  ): Promise<ApprovalRequest[]> {
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    return this.options.store.listApprovals(stringifyEntityRef(entity), {
      status: options.status,
      limit: 100,
    });
  }

  async rollback(
    request: RollbackRequest,
    caller: Caller,
  ): Promise<Deployment> {
    const user = requireUser(caller);
    const entity = await getCallerEntity(
      this.options.catalog,
      request.entityRef,
      caller,
    );
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
    // What runs now is what the rollback undoes: a change failure for the insights.
    const [running] = (
      await this.options.store.listDeployments({
        entityRef,
        environment: request.environment,
        status: 'succeeded',
        limit: 1,
      })
    ).items;
    return this.options.audit.audited(
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
          reverts: running && running.id !== target.id ? running.id : undefined,
          userAgent: caller.userAgent,
        }),
      deployment => deployment.id,
    );
  }

  async listAuditEvents(
    entityRef: string,
    caller: Caller,
  ): Promise<DeploymentAuditEvent[]> {
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    return this.options.store.listAuditEvents(stringifyEntityRef(entity), 100);
  }

  // ---------------------------------------------------------------------------

  /** The deploy step every use case ends in; see deployStep.ts. */
  async startDeployment(
    entity: Entity,
    request: StartDeploymentRequest,
  ): Promise<Deployment> {
    return toApi(
      await this.deployStep.start(entity, request, deployment =>
        this.options.watcher.watch(deployment, this.redeployer),
      ),
    );
  }

  private async loadApproval(id: string, caller: Caller) {
    const user = requireUser(caller);
    const approval = await this.options.store.getApproval(id);
    if (!approval) throw new NotFoundError(`No approval request ${id}`);
    const entity = await getCallerEntity(
      this.options.catalog,
      approval.entityRef,
      caller,
    );
    return { user, approval, entity };
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
    const live = await this.options.clusters
      .forEnvironment(environment)
      .getRolloutStatus(
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

  private environment(name: string, field = 'environment'): Environment {
    return environmentNamed(this.options.environments, name, field);
  }

  private firstEnvironmentWithoutApproval(): string {
    return (
      this.options.environments.find(e => !e.requiresApproval)?.name ??
      'an environment without approval'
    );
  }

  private namespaceOf(entity: Entity, environment: string): string {
    return namespaceOf(entity, environment);
  }

  private workloadOf(entity: Entity): string {
    return workloadOf(entity);
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
