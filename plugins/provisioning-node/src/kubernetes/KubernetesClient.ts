import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { diffObjects } from './diff';
import { rolloutStatusOf } from './rollout';
import {
  AppliedObject,
  ApplyOptions,
  KubernetesClient,
  RolloutStatus,
  WaitForRolloutOptions,
} from './types';

const FIELD_MANAGER = 'paved';

/** client-node's generic object API, with its discovery lookup made public. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  async isNamespaced(apiVersion: string, kind: string) {
    const resource = await this.resource(apiVersion, kind);
    if (!resource) {
      throw new InputError(
        `The cluster has no kind ${kind} in ${apiVersion}; check the manifest's apiVersion and kind`,
      );
    }
    return resource.namespaced;
  }
}
const POLL_INTERVAL_MS = 500;

function outcomeOf(live: KubernetesObject | undefined, diff: string[]) {
  if (!live) return 'created';
  return diff.length ? 'configured' : 'unchanged';
}

const describe = (object: KubernetesObject) =>
  `${object.kind} ${
    object.metadata?.namespace ? `${object.metadata.namespace}/` : ''
  }${object.metadata?.name}`;

/** The apiserver's own words from a failed request, e.g. a validation message. */
function apiMessage(error: ApiException<unknown>): string {
  let body = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return body as string;
    }
  }
  return (body as { message?: string } | undefined)?.message ?? error.message;
}

const NETWORK_ERRORS =
  /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|ENOTFOUND|fetch failed|socket hang up/;

/**
 * `@kubernetes/client-node` on a cluster from a kubeconfig. Applies with
 * server-side apply (field manager `paved`, taking over conflicting fields),
 * so re-running is safe and a dry run is the apiserver's own verdict.
 */
export class DefaultKubernetesClient implements KubernetesClient {
  private readonly objects: DiscoveringObjectApi;
  private readonly apps: AppsV1Api;
  private readonly server: string;

  static fromConfig(config: Config): DefaultKubernetesClient {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(config.getString('paved.platform.kubeconfig'));
    return new DefaultKubernetesClient(kubeConfig);
  }

  constructor(kubeConfig: KubeConfig) {
    this.objects = kubeConfig.makeApiClient(DiscoveringObjectApi);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.server = kubeConfig.getCurrentCluster()?.server ?? 'the cluster';
  }

  async apply(
    objects: KubernetesObject[],
    options: ApplyOptions = {},
  ): Promise<AppliedObject[]> {
    const applied: AppliedObject[] = [];
    for (const manifest of objects) {
      const object = await this.withNamespace(manifest, options.namespace);
      const live = await this.read(object);
      const result = await this.call(`apply ${describe(object)}`, () =>
        this.objects.patch(
          object,
          undefined,
          options.dryRun ? 'All' : undefined,
          options.fieldManager ?? FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        ),
      );
      const diff = diffObjects(live, result);
      applied.push({
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        name: object.metadata!.name!,
        namespace: object.metadata?.namespace,
        outcome: outcomeOf(live, diff),
        diff,
      });
    }
    return applied;
  }

  async getRolloutStatus(
    namespace: string,
    name: string,
  ): Promise<RolloutStatus | undefined> {
    const deployment = await this.call(
      `read Deployment ${namespace}/${name}`,
      () => this.apps.readNamespacedDeployment({ namespace, name }),
    ).catch(error => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    return deployment && rolloutStatusOf(deployment);
  }

  async waitForRollout(
    namespace: string,
    name: string,
    options: WaitForRolloutOptions = {},
  ): Promise<RolloutStatus> {
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    const deadline = Date.now() + timeoutMs;
    let lastMessage: string | undefined;
    for (;;) {
      options.signal?.throwIfAborted();
      const status = await this.getRolloutStatus(namespace, name);
      if (!status) {
        throw new NotFoundError(`Deployment ${namespace}/${name} not found`);
      }
      if (status.message !== lastMessage) {
        lastMessage = status.message;
        options.onProgress?.(status);
      }
      if (status.state === 'complete') return status;
      if (status.state === 'failed') {
        throw new Error(
          `Rollout of Deployment ${namespace}/${name} failed: ${status.message}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Rollout of Deployment ${namespace}/${name} did not finish within ${Math.round(
            timeoutMs / 1000,
          )} s: ${status.message}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  async delete(objects: KubernetesObject[]): Promise<void> {
    for (const object of objects) {
      await this.call(`delete ${describe(object)}`, () =>
        this.objects.delete(
          object,
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        ),
      ).catch(error => {
        if (!(error instanceof NotFoundError)) throw error;
      });
    }
  }

  /** Fills in the namespace of a namespaced object that names none. */
  private async withNamespace(
    object: KubernetesObject,
    namespace: string | undefined,
  ): Promise<KubernetesObject> {
    if (!object.apiVersion || !object.kind || !object.metadata?.name) {
      throw new InputError(
        `Every manifest needs apiVersion, kind and metadata.name; got ${JSON.stringify(
          {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata?.name,
          },
        )}`,
      );
    }
    const namespaced = await this.call(`look up the kind ${object.kind}`, () =>
      this.objects.isNamespaced(object.apiVersion!, object.kind!),
    );
    if (!namespaced || object.metadata.namespace) return object;
    if (!namespace) {
      throw new InputError(
        `${describe(
          object,
        )} is namespaced but names no namespace, and none was given`,
      );
    }
    return { ...object, metadata: { ...object.metadata, namespace } };
  }

  async read(object: KubernetesObject): Promise<KubernetesObject | undefined> {
    return this.call(`read ${describe(object)}`, () =>
      this.objects.read({
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        metadata: {
          name: object.metadata!.name!,
          namespace: object.metadata!.namespace,
        },
      }),
    ).catch(error => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  }

  /** Runs one request, turning its failure into the matching @backstage/errors class. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ApiException) {
        const message = `Kubernetes refused to ${what}: ${apiMessage(error)}`;
        switch (error.code) {
          case 400:
          case 422:
            throw new InputError(message);
          case 401:
          case 403:
            throw new NotAllowedError(message);
          case 404:
            throw new NotFoundError(message);
          case 409:
            throw new ConflictError(message);
          case 503:
            throw new ServiceUnavailableError(message);
          default:
            throw new Error(message);
        }
      }
      const text = `${(error as Error).message} ${
        (error as { cause?: Error }).cause?.message ?? ''
      } ${(error as { code?: string }).code ?? ''}`;
      if (NETWORK_ERRORS.test(text)) {
        throw new ServiceUnavailableError(
          `The Kubernetes API at ${
            this.server
          } is unreachable (could not ${what}): ${text.trim()}. Check that the cluster is up.`,
        );
      }
      throw error;
    }
  }
}
