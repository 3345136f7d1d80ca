import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LogLine, Pod } from '@paved/plugin-deployments-common';
import {
  Environment,
  KubernetesClusters,
} from '@paved/plugin-provisioning-node';
import { Caller, namespaceOf, workloadOf } from '../DeploymentService';
import { getCallerEntity } from '../DeploymentService/callerEntity';
import { environmentNamed } from '../DeploymentService/goldenPath';
import { parseSince } from './since';
import { LogsRequest, LogsService } from './types';

/** Lines per pod when neither `since` nor `tailLines` is given. */
export const DEFAULT_TAIL_LINES = 100;

export interface DefaultLogsServiceOptions {
  environments: Environment[];
  catalog: CatalogService;
  clusters: Pick<KubernetesClusters, 'forEnvironment'>;
}

/**
 * The pods and logs of a service's Deployment (`backstage.io/kubernetes-id` in
 * `paved.dev/kubernetes-namespace-<env>`) on the environment's cluster, read as
 * the platform's service account once the caller has read the entity with
 * their own credentials (the catalog's permission decides, as for the entity page).
 */
export class DefaultLogsService implements LogsService {
  constructor(private readonly options: DefaultLogsServiceOptions) {}

  private async where(entityRef: string, environment: string, caller: Caller) {
    const { name } = environmentNamed(this.options.environments, environment);
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    const client = this.options.clusters.forEnvironment(name);
    const namespace = namespaceOf(entity, name);
    const workload = workloadOf(entity);
    return { client, namespace, workload };
  }

  async listPods(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<Pod[]> {
    const { client, namespace, workload } = await this.where(
      entityRef,
      environment,
      caller,
    );
    return client.listPods(namespace, workload);
  }

  async open(
    entityRef: string,
    environment: string,
    request: LogsRequest,
    caller: Caller,
  ) {
    const since = parseSince(request.since);
    const { client, namespace, workload } = await this.where(
      entityRef,
      environment,
      caller,
    );
    const pods = await client.listPods(namespace, workload);
    let chosen = pods;
    if (request.pod !== undefined) {
      chosen = pods.filter(p => p.name === request.pod);
      if (!chosen.length) {
        throw new NotFoundError(
          `pod: ${
            request.pod
          } is not a pod of ${entityRef} in ${environment}; its pods: ${
            pods.map(p => p.name).join(', ') || 'none (it does not run there)'
          }`,
        );
      }
    }
    const targets = chosen.map(pod => {
      const container = request.container ?? pod.containers[0];
      if (!pod.containers.includes(container)) {
        throw new NotFoundError(
          `container: ${
            pod.name
          } has no container ${container}; its containers: ${pod.containers.join(
            ', ',
          )}`,
        );
      }
      return { pod: pod.name, container };
    });
    const tailLines =
      request.tailLines ??
      (since.sinceSeconds || since.sinceTime ? undefined : DEFAULT_TAIL_LINES);
    return async (onLine: (line: LogLine) => void, signal: AbortSignal) => {
      await Promise.all(
        targets.map(({ pod, container }) =>
          client.streamLogs(
            namespace,
            pod,
            container,
            { ...since, tailLines, follow: request.follow, signal },
            line => onLine({ ...line, pod, container }),
          ),
        ),
      );
    };
  }
}
