import { AuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  Deployment,
  SecretChangeRequest,
  SecretChangeResult,
  SecretList,
  secretReadPermission,
  SecretRollbackRequest,
  secretRotatePermission,
  SecretRotateRequest,
  secretWritePermission,
} from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClusters,
} from '@paved/plugin-provisioning-node';
import {
  AuditedAction,
  Caller,
  DeploymentAuditWriter,
  namespaceOf,
  StartDeploymentRequest,
  workloadOf,
} from '../DeploymentService';
import { environmentNamed } from '../DeploymentService/goldenPath';
import { VaultEnvironmentSecrets } from './environmentSecrets';
import { GENERATED_KEYS, SecretChange } from './rules';
import { SecretsService } from './types';
import {
  getCallerEntity,
  requireUser,
} from '../DeploymentService/callerEntity';

export interface DefaultSecretsServiceOptions {
  environments: Environment[];
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  /** Each environment's cluster: whether the service's Deployment runs there. */
  clusters: Pick<KubernetesClusters, 'forEnvironment'>;
  audit: DeploymentAuditWriter;
  secrets: VaultEnvironmentSecrets;
  /** The deployments' own deploy step: a secret change is written and rolled out by it, under its lock, watched like a deploy. */
  deployments: {
    startDeployment(
      entity: Entity,
      request: StartDeploymentRequest,
    ): Promise<Deployment>;
  };
}

/** A change's words for history and audit: key names only. */
function describe(result: { key: string; change: string }[]): string {
  return result.map(c => `${c.key} ${c.change}`).join(', ');
}

/**
 * Secrets per service and environment in Vault, each change rolled out as a
 * deployment (docs/decisions/0016-secrets-lifecycle.md). Values come in
 * with a request and go to Vault; nothing here returns, logs or records one.
 */
export class DefaultSecretsService implements SecretsService {
  constructor(private readonly options: DefaultSecretsServiceOptions) {}

  async list(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<SecretList> {
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    this.environment(environment);
    await this.authorize(
      secretReadPermission,
      stringifyEntityRef(entity),
      caller,
    );
    return this.options.secrets.list(entity, environment);
  }

  async change(
    entityRef: string,
    environment: string,
    request: SecretChangeRequest,
    caller: Caller,
  ): Promise<SecretChangeResult> {
    const set = request.set ?? {};
    const unset = request.unset ?? [];
    if (!Object.keys(set).length && !unset.length) {
      throw new InputError(
        'body: give keys to set ({"set": {"API_TOKEN": "…"}}) or to unset ({"unset": ["API_TOKEN"]})',
      );
    }
    return this.run(
      {
        action: 'secret-change',
        permission: secretWritePermission,
        entityRef,
        environment,
        caller,
        dryRun: request.dryRun,
        verb: 'Secret change',
      },
      async () => ({ type: 'set', set, unset }),
    );
  }

  async rollback(
    entityRef: string,
    environment: string,
    request: SecretRollbackRequest,
    caller: Caller,
  ): Promise<SecretChangeResult> {
    return this.run(
      {
        action: 'secret-rollback',
        permission: secretWritePermission,
        entityRef,
        environment,
        caller,
        dryRun: request.dryRun,
        verb: 'Secret rollback',
      },
      async list => {
        if (request.toVersion !== undefined) {
          return { type: 'restore', toVersion: request.toVersion };
        }
        if (!list.version) {
          throw new ConflictError(
            `${list.vaultPath} has no versions yet, so there is nothing to roll back; set a key first`,
          );
        }
        return { type: 'restore', toVersion: list.version - 1 };
      },
    );
  }

  async rotate(
    entityRef: string,
    environment: string,
    request: SecretRotateRequest,
    caller: Caller,
  ): Promise<SecretChangeResult> {
    return this.run(
      {
        action: 'secret-rotate',
        permission: secretRotatePermission,
        entityRef,
        environment,
        caller,
        dryRun: request.dryRun,
        verb: 'Secret rotation',
      },
      async list => {
        // By default the generated values; the database login only when asked for.
        const generated = [
          ...new Set(
            list.items
              .filter(i => i.generated && i.key in GENERATED_KEYS)
              .map(i => i.key),
          ),
        ];
        const keys = request.keys?.length ? request.keys : generated;
        if (!keys.length) {
          throw new ConflictError(
            `${list.vaultPath}: the service has no generated secrets to rotate (Create Service generates APP_SESSION_SECRET)`,
          );
        }
        return { type: 'rotate', keys };
      },
    );
  }

  // ---------------------------------------------------------------------------

  /**
   * Checks the caller and the input, plans the change, and (unless a dry run)
   * starts the deployment that writes it to Vault and restarts the service,
   * audited like a deploy.
   */
  private async run(
    what: {
      action: AuditedAction['action'];
      permission: ResourcePermission<'catalog-entity'>;
      entityRef: string;
      environment: string;
      caller: Caller;
      dryRun?: boolean;
      verb: string;
    },
    changeOf: (list: SecretList) => Promise<SecretChange>,
  ): Promise<SecretChangeResult> {
    const { caller, environment } = what;
    const user = requireUser(caller);
    const entity = await getCallerEntity(
      this.options.catalog,
      what.entityRef,
      caller,
    );
    const entityRef = stringifyEntityRef(entity);
    this.environment(environment);
    const namespace = namespaceOf(entity, environment);
    const workload = workloadOf(entity);
    await this.authorize(what.permission, entityRef, caller);
    const { secrets } = this.options;
    const list = await secrets.list(entity, environment);
    const change = await changeOf(list);
    const [plan, live] = await Promise.all([
      secrets.plan(entity, environment, change),
      this.options.clusters
        .forEnvironment(environment)
        .getRolloutStatus(namespace, workload),
    ]);
    const restarts = live ? [{ namespace, name: workload }] : [];
    const previousVersion = plan.currentVersion || undefined;
    if (what.dryRun) {
      return {
        dryRun: true,
        environment,
        changes: plan.changes,
        restarts,
        previousVersion,
      };
    }
    if (!live?.image) {
      throw new ConflictError(
        `Deployment ${workload} does not exist in namespace ${namespace}, so nothing would pick the secret up; deploy ${entityRef} to ${environment} first`,
      );
    }
    const message = `${what.verb} (${describe(
      plan.changes,
    )}) requested by ${user}`;
    const deployment = await this.options.audit.audited(
      {
        actor: user,
        action: what.action,
        entityRef,
        environment,
        image: live.image,
        message,
      },
      () =>
        this.options.deployments.startDeployment(entity, {
          environment,
          image: live.image!,
          requestedBy: user,
          message,
          secretChange: change,
        }),
      d => d.id,
    );
    return {
      dryRun: false,
      environment,
      changes: deployment.secretChange?.changes ?? plan.changes,
      restarts,
      previousVersion: deployment.secretChange?.previousVersion,
      version: deployment.secretChange?.version,
      deploymentId: deployment.id,
    };
  }

  private environment(name: string): Environment {
    return environmentNamed(this.options.environments, name);
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
