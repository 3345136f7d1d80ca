import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { validateImageReference } from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClusters,
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
import { secretFromEntity } from './vaultSecret';
import { WorkloadCopier } from './workloadCopy';

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
      // Independent reads, at once: they are most of a deploy's latency.
      const [liveBefore, secret] = await Promise.all([
        kubernetes.getRolloutStatus(namespace, workload),
        secretFromEntity(this.options.vault, entity, workload),
      ]);
      let live = liveBefore;
      let message = request.message;
      if (!live && request.sourceEnvironment) {
        const objects = await this.options.workloadCopier.copy({
          from: {
            environment: request.sourceEnvironment,
            namespace: namespaceOf(entity, request.sourceEnvironment),
          },
          to: { environment: environment.name, namespace },
          workload,
          image: request.image,
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
      watch(deployment);
      return deployment;
    } catch (error) {
      await store.releaseLock(entityRef, environment.name, id);
      throw error;
    }
  }
}
