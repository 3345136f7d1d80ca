import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { validateImageReference } from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClusters,
  ProvisioningDefaults,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { randomUUID } from 'node:crypto';
import { DeploymentStore, StoredDeployment } from '../DeploymentStore';
import {
  DEPLOYMENTS_FIELD_MANAGER,
  environmentNamed,
  namespaceOf,
  workloadOf,
} from './goldenPath';
import { StartDeploymentRequest } from './types';
import { SECRET_VERSIONS_ANNOTATION, secretFromEntity } from './vaultSecret';
import { MonitoringPromoter } from './monitoringCopy';
import { WorkloadCopier } from './workloadCopy';

/**
 * Writes a change of an environment's own secret to Vault (a new KV
 * version), under the deploy lock: what a secret change's deployment runs
 * before refreshing the Secret. See SecretsService.
 */
export interface EnvironmentSecretWriter {
  write(
    entity: Entity,
    environment: string,
    change: NonNullable<StartDeploymentRequest['secretChange']>,
    actor: string,
  ): Promise<NonNullable<StoredDeployment['secretChange']>>;
}

/**
 * The step every deploy, promotion, approval and rollback ends in: changes
 * the image of the entity's Deployment in the environment's namespace and
 * refreshes its Secret from Vault, holding the entity+environment lock until
 * the rollout ends. Nothing is recorded unless the apiserver took the change.
 */
export class DeployStep {
  constructor(
    private readonly options: {
      environments: Environment[];
      store: DeploymentStore;
      clusters: Pick<KubernetesClusters, 'forEnvironment'>;
      vault: VaultClient;
      workloadCopier: WorkloadCopier;
      /** Carries a service's SLO rules, dashboard and ServiceMonitor along a promotion. */
      monitoringPromoter?: MonitoringPromoter;
      /** Needed only by deployments that change secrets. */
      secretWriter?: EnvironmentSecretWriter;
      /** Where each cluster's pods reach the database server; none: as Vault says. */
      databaseAddresses?: Pick<ProvisioningDefaults, 'databaseAddress'>;
    },
  ) {}

  /** Applies the change and records it; `watch` is handed the recorded deployment (it then holds the lock). */
  async start(
    entity: Entity,
    request: StartDeploymentRequest,
    watch: (deployment: StoredDeployment) => void,
  ): Promise<StoredDeployment> {
    const { store } = this.options;
    const environment = environmentNamed(
      this.options.environments,
      request.environment,
    );
    // The environment's own cluster (paved.environments[].cluster).
    const kubernetes = this.options.clusters.forEnvironment(environment.name);
    const namespace = namespaceOf(entity, environment.name);
    const validation = validateImageReference(request.image);
    if (!validation.valid) throw new InputError(validation.error);
    const entityRef = stringifyEntityRef(entity);
    const workload = workloadOf(entity);
    const id = randomUUID();
    await store.acquireLock(entityRef, environment.name, id);
    try {
      // A secret change is written under the lock, so it and its restart are
      // one deployment; only once the Deployment is known to be there.
      let secretChange: StoredDeployment['secretChange'];
      /** A secret change restarts what runs: the image read under the lock. */
      let image = request.image;
      if (request.secretChange) {
        if (!this.options.secretWriter) {
          throw new Error('DeployStep: a secret change needs a secretWriter');
        }
        const running = await kubernetes.getRolloutStatus(namespace, workload);
        if (!running?.image) {
          throw new ConflictError(
            `Deployment ${workload} does not exist in namespace ${namespace}, so nothing would pick the secret up; deploy ${entityRef} to ${environment.name} first`,
          );
        }
        secretChange = await this.options.secretWriter.write(
          entity,
          environment.name,
          request.secretChange,
          request.requestedBy,
        );
        image = running.image;
      }
      // Independent reads, at once: they are most of a deploy's latency.
      const [liveBefore, secret] = await Promise.all([
        kubernetes.getRolloutStatus(namespace, workload),
        secretFromEntity(
          this.options.vault,
          entity,
          workload,
          environment.name,
          // The pods of this environment's cluster reach the database at its own address.
          this.options.databaseAddresses?.databaseAddress(environment.cluster),
        ),
      ]);
      let live = liveBefore;
      let message = request.message;
      if (secretChange?.note) message += `; ${secretChange.note}`;
      if (!live && request.sourceEnvironment) {
        const objects = await this.options.workloadCopier.copy({
          from: {
            environment: request.sourceEnvironment,
            namespace: namespaceOf(entity, request.sourceEnvironment),
          },
          to: { environment: environment.name, namespace },
          workload,
          image,
        });
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
      if (request.sourceEnvironment && this.options.monitoringPromoter) {
        // Every promotion, not only the first: idempotent, and it brings an environment's
        // rules up to date with the entity's tier (decision 0029).
        const objects = await this.options.monitoringPromoter.promote({
          entity,
          workload,
          from: {
            environment: request.sourceEnvironment,
            namespace: namespaceOf(entity, request.sourceEnvironment),
          },
          to: { environment: environment.name, namespace },
        });
        if (objects.length) {
          message += `; monitoring in ${environment.name}: ${objects
            .map(o => `${o.kind} ${o.metadata?.name}`)
            .join(', ')}`;
        }
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
            // Another set of Vault versions restarts the pods, so they read the refreshed Secret.
            ...(secret.versions
              ? {
                  metadata: {
                    annotations: {
                      [SECRET_VERSIONS_ANNOTATION]: secret.versions,
                    },
                  },
                }
              : {}),
            spec: {
              containers: [{ name: live.container ?? workload, image }],
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
        image,
        replicas: request.replicas,
        status: 'rolling-out',
        requestedBy: request.requestedBy,
        createdAt: new Date().toISOString(),
        message,
        previousImage: liveBefore?.image,
        rollbackOf: request.rollbackOf,
        reverts: request.reverts,
        userAgent: request.userAgent,
        secretChange,
      };
      await store.insertDeployment(deployment);
      watch(deployment);
      return deployment;
    } catch (error) {
      await store.releaseLock(entityRef, environment.name, id);
      throw error;
    }
  }
}
