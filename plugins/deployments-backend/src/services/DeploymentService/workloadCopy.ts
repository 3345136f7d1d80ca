import { NotFoundError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { KubernetesClient } from '@paved/plugin-provisioning-node';

type LiveObject = KubernetesObject & {
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

/** Annotations the cluster or kubectl write; copying them would carry another namespace's state. */
const clusterWrittenAnnotation = (key: string) =>
  key.startsWith('deployment.kubernetes.io/') ||
  key.startsWith('kubectl.kubernetes.io/');

/** The object as it would be written into `namespace`: no status, uid, versions or allocated IPs. */
export function portable(object: LiveObject, namespace: string): LiveObject {
  const { name, labels, annotations = {} } = object.metadata ?? {};
  const kept = Object.entries(annotations).filter(
    ([key]) => !clusterWrittenAnnotation(key),
  );
  const copy: LiveObject = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name,
      namespace,
      ...(labels ? { labels } : {}),
      ...(kept.length ? { annotations: Object.fromEntries(kept) } : {}),
    },
  };
  if (object.data) copy.data = object.data;
  if (object.spec) {
    // A Service's cluster IPs are allocated per namespace and immutable.
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = object.spec;
    copy.spec = object.kind === 'Service' ? spec : object.spec;
  }
  return copy;
}

/**
 * The golden path's objects of a service (Deployment, Service and ConfigMap,
 * named as `deploy/kubernetes` in its repository names them) as they run in
 * `from`, made ready to apply into `to` with `image` on the workload's
 * container. A service's first promotion into an environment creates them
 * there, so the environment runs what was tested in the one before it.
 */
export async function workloadObjectsFrom(
  kubernetes: Pick<KubernetesClient, 'read'>,
  options: {
    from: string;
    to: string;
    workload: string;
    image: string;
  },
): Promise<KubernetesObject[]> {
  const { from, to, workload, image } = options;
  const wanted = [
    { apiVersion: 'v1', kind: 'ConfigMap', name: `${workload}-config` },
    { apiVersion: 'v1', kind: 'Service', name: workload },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: workload },
  ];
  const objects: KubernetesObject[] = [];
  for (const { apiVersion, kind, name } of wanted) {
    const live = (await kubernetes.read({
      apiVersion,
      kind,
      metadata: { name, namespace: from },
    })) as LiveObject | undefined;
    if (live) objects.push(portable(live, to));
  }
  const deployment = objects.find(o => o.kind === 'Deployment') as
    | LiveObject
    | undefined;
  const containers = (
    deployment?.spec?.template as {
      spec?: { containers?: Array<{ name: string; image?: string }> };
    }
  )?.spec?.containers;
  // The golden path names the container after the service.
  const target = containers?.find(c => c.name === workload) ?? containers?.[0];
  if (!target) {
    throw new NotFoundError(
      `Deployment ${workload} does not exist in namespace ${from}, so there is nothing to promote from there`,
    );
  }
  target.image = image;
  return objects;
}

/** A namespace in an environment (so on that environment's cluster). */
export interface WorkloadPlace {
  environment: string;
  namespace: string;
}

/** Creates a service's objects in an environment where it never ran, from the one before it. */
export interface WorkloadCopier {
  /**
   * Copies the service's Deployment, Service and ConfigMap from namespace
   * `from.namespace` on the cluster of `from.environment` into `to.namespace`
   * on the cluster of `to.environment`, with `image` on the workload's
   * container, and returns what it applied; a NotFoundError when `from` has
   * no Deployment.
   */
  copy(options: {
    from: WorkloadPlace;
    to: WorkloadPlace;
    workload: string;
    image: string;
  }): Promise<KubernetesObject[]>;
}

/**
 * Reads the objects from the source environment's cluster and server-side
 * applies them on the target environment's (the same cluster when both
 * environments name it), as field manager `paved`.
 */
export class KubernetesWorkloadCopier implements WorkloadCopier {
  constructor(
    private readonly clusters: {
      forEnvironment(
        environment: string,
      ): Pick<KubernetesClient, 'read' | 'apply'>;
    },
  ) {}

  async copy(options: {
    from: WorkloadPlace;
    to: WorkloadPlace;
    workload: string;
    image: string;
  }): Promise<KubernetesObject[]> {
    const { from, to, workload, image } = options;
    const objects = await workloadObjectsFrom(
      this.clusters.forEnvironment(from.environment),
      { from: from.namespace, to: to.namespace, workload, image },
    );
    // As the golden path's manager: these are its objects, copied.
    await this.clusters
      .forEnvironment(to.environment)
      .apply(objects, { namespace: to.namespace });
    return objects;
  }
}
