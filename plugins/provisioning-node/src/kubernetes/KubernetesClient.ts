// Over 400 lines: server-side apply with its diff, the rollout watch (re-established when
// the apiserver closes it), the rollout diagnosis and the pods and logs of a Deployment share
// the client's error mapping; the judging itself is in rollout.ts and diagnosis.ts, tested
// without a cluster.
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
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  Log,
  PatchStrategy,
  V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { diagnosePods, RolloutDiagnosis, tailOf } from './diagnosis';
import { diffObjects } from './diff';
import { RolloutFailedError } from './errors';
import { rolloutStatusOf } from './rollout';
import {
  AppliedObject,
  ApplyOptions,
  KubernetesClient,
  LogLine,
  LogOptions,
  PodSummary,
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
/** A watch that ends sooner than this is re-established only after this long. */
const REWATCH_DELAY_MS = 1000;
/** How often a rollout's new pods are checked for problems (pods change without the Deployment changing). */
const DIAGNOSE_EVERY_MS = 2000;

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
 * `@kubernetes/client-node` on a cluster from a kubeconfig (for an
 * environment's cluster: `kubernetesClustersServiceRef`). Applies with
 * server-side apply (field manager `paved`, taking over conflicting fields),
 * so re-running is safe and a dry run is the apiserver's own verdict.
 */
export class DefaultKubernetesClient implements KubernetesClient {
  private readonly objects: DiscoveringObjectApi;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly logs: Log;
  private readonly server: string;

  constructor(kubeConfig: KubeConfig) {
    this.logs = new Log(kubeConfig);
    this.objects = kubeConfig.makeApiClient(DiscoveringObjectApi);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kubeConfig);
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

  /**
   * Watches the Deployment as `kubectl rollout status` does: reads it, then
   * watches it from that version on, judging every change. A watch that ends
   * before the outcome (apiservers close them now and then) is re-established
   * after reading the Deployment again.
   */
  async waitForRollout(
    namespace: string,
    name: string,
    options: WaitForRolloutOptions = {},
  ): Promise<RolloutStatus> {
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    const what = `Deployment ${namespace}/${name}`;
    let lastMessage: string | undefined;
    /** The outcome if the rollout has one; throws if it failed. */
    const judge = (deployment: V1Deployment) => {
      const status = rolloutStatusOf(deployment);
      if (status.message !== lastMessage) {
        lastMessage = status.message;
        options.onProgress?.(status);
      }
      if (status.state === 'failed') {
        throw new RolloutFailedError(
          `Rollout of ${what} failed: ${status.message}`,
          { reason: 'Deadline' },
        );
      }
      return status.state === 'complete' ? status : undefined;
    };

    options.signal?.throwIfAborted();
    const stop = new AbortController();
    const timer = setTimeout(
      () =>
        stop.abort(
          new RolloutFailedError(
            `Rollout of ${what} did not finish within ${Math.round(
              timeoutMs / 1000,
            )} s: ${lastMessage ?? 'no status read yet'}`,
            { reason: 'Timeout' },
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => stop.abort(options.signal!.reason);
    options.signal?.addEventListener('abort', onAbort);
    // The new pods are looked at every few seconds: a missing image or a
    // crashing container fails the rollout at once, not at its deadline.
    const diagnoseEveryMs = options.diagnoseEveryMs ?? DIAGNOSE_EVERY_MS;
    const checking =
      diagnoseEveryMs > 0
        ? setInterval(() => {
            this.diagnoseRollout(namespace, name).then(
              diagnosis => {
                if (diagnosis?.final && !stop.signal.aborted) {
                  stop.abort(
                    new RolloutFailedError(
                      `Rollout of ${what} failed: ${diagnosis.message}`,
                      { diagnosis },
                    ),
                  );
                }
              },
              () => undefined, // the watch reports an unreachable apiserver
            );
          }, diagnoseEveryMs)
        : undefined;
    try {
      return await this.watchUntilDone(namespace, name, what, judge, stop);
    } catch (error) {
      // A failure says why: the new pods' problem, with their last log lines.
      if (error instanceof RolloutFailedError && !error.diagnosis) {
        const diagnosis = await this.diagnoseRollout(namespace, name).catch(
          () => undefined,
        );
        if (diagnosis) {
          // What the pods show is the reason: e.g. a readiness probe that
          // never passed until the deadline.
          throw new RolloutFailedError(
            `${error.message}; ${diagnosis.message}`,
            { diagnosis },
          );
        }
      }
      throw error;
    } finally {
      clearTimeout(timer);
      clearInterval(checking);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Reads and watches the Deployment until `judge` finds an outcome or `stop` aborts. */
  private async watchUntilDone(
    namespace: string,
    name: string,
    what: string,
    judge: (deployment: V1Deployment) => RolloutStatus | undefined,
    stop: AbortController,
  ): Promise<RolloutStatus> {
    for (;;) {
      const list = await this.call(`read ${what}`, () =>
        this.apps.listNamespacedDeployment({
          namespace,
          fieldSelector: `metadata.name=${name}`,
        }),
      );
      if (!list.items.length) throw new NotFoundError(`${what} not found`);
      const done = judge(list.items[0]);
      if (done) return done;
      stop.signal.throwIfAborted();

      const started = Date.now();
      const outcome = await this.watchDeployment(
        namespace,
        name,
        list.metadata?.resourceVersion,
        judge,
        stop.signal,
      );
      if (outcome) return outcome;
      // Ended early: don't hammer an apiserver that keeps closing the watch.
      if (Date.now() - started < REWATCH_DELAY_MS) {
        await sleep(REWATCH_DELAY_MS, undefined, {
          signal: stop.signal,
        }).catch(() => undefined);
        stop.signal.throwIfAborted();
      }
    }
  }

  /**
   * What keeps the pods of the Deployment's current version from becoming
   * ready, with the failing container's last log lines; undefined when
   * nothing is wrong or the Deployment doesn't exist.
   */
  async diagnoseRollout(
    namespace: string,
    name: string,
  ): Promise<RolloutDiagnosis | undefined> {
    const what = `Deployment ${namespace}/${name}`;
    const deployment = await this.call(`read ${what}`, () =>
      this.apps.readNamespacedDeployment({ namespace, name }),
    ).catch(error => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    const matchLabels = deployment?.spec?.selector?.matchLabels;
    if (!deployment || !matchLabels) return undefined;
    const selector = Object.entries(matchLabels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const revision =
      deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    const replicaSets = await this.call(`list ReplicaSets of ${what}`, () =>
      this.apps.listNamespacedReplicaSet({
        namespace,
        labelSelector: selector,
      }),
    );
    const current = replicaSets.items.find(
      rs =>
        rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ===
          revision &&
        rs.metadata?.ownerReferences?.some(
          o => o.uid === deployment.metadata?.uid,
        ),
    );
    const hash = current?.metadata?.labels?.['pod-template-hash'];
    if (!hash) return undefined;
    const [pods, events] = await Promise.all([
      this.call(`list the pods of ${what}`, () =>
        this.core.listNamespacedPod({
          namespace,
          labelSelector: `${selector},pod-template-hash=${hash}`,
        }),
      ),
      this.call(`list the events of ${namespace}`, () =>
        this.core.listNamespacedEvent({
          namespace,
          fieldSelector: 'involvedObject.kind=Pod',
        }),
      ),
    ]);
    const problem = diagnosePods(pods.items, events.items);
    if (!problem?.container) return problem;
    if (problem.reason !== 'CrashLoop' && problem.reason !== 'ProbeFailure') {
      return problem;
    }
    // A crashed container's words are in its previous run's log.
    const log = await this.core
      .readNamespacedPodLog({
        namespace,
        name: problem.pod,
        container: problem.container,
        previous: problem.reason === 'CrashLoop',
        tailLines: 20,
      })
      .catch(() => undefined);
    return log ? { ...problem, logTail: tailOf(String(log)) } : problem;
  }

  /**
   * One watch of a Deployment from `resourceVersion` on. Resolves with the
   * outcome `judge` finds, or with undefined when the watch ends first; rejects
   * when `judge` throws, the Deployment is deleted, the apiserver refuses the
   * watch, or `signal` aborts (with its reason). Always closes the watch.
   */
  private watchDeployment(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    judge: (deployment: V1Deployment) => RolloutStatus | undefined,
    signal: AbortSignal,
  ): Promise<RolloutStatus | undefined> {
    const what = `watch Deployment ${namespace}/${name}`;
    return new Promise((resolve, reject) => {
      let connection: AbortController | undefined;
      let settled = false;
      const listening = new AbortController();
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        listening.abort();
        connection?.abort();
        outcome();
      };
      signal.addEventListener(
        'abort',
        () => settle(() => reject(signal.reason)),
        {
          signal: listening.signal,
        },
      );

      this.watcher
        .watch(
          `/apis/apps/v1/namespaces/${encodeURIComponent(
            namespace,
          )}/deployments`,
          {
            fieldSelector: `metadata.name=${name}`,
            resourceVersion,
            allowWatchBookmarks: true,
          },
          (type: string, object: V1Deployment) => {
            if (type === 'BOOKMARK') return;
            // ERROR is most often 410 Gone (the version is too old): read again.
            if (type === 'ERROR') settle(() => resolve(undefined));
            else if (type === 'DELETED') {
              settle(() =>
                reject(
                  new NotFoundError(
                    `Deployment ${namespace}/${name} not found`,
                  ),
                ),
              );
            } else {
              try {
                const status = judge(object);
                if (status) settle(() => resolve(status));
              } catch (error) {
                settle(() => reject(error));
              }
            }
          },
          // Closed, timed out or cut off: the caller reads again (and an
          // unreachable apiserver fails that read). A refusal is final.
          (error: { statusCode?: number; message?: string } | null) =>
            settle(() =>
              error?.statusCode
                ? reject(
                    this.errorOf(
                      what,
                      new ApiException(
                        error.statusCode,
                        error.message ?? '',
                        undefined,
                        {},
                      ),
                    ),
                  )
                : resolve(undefined),
            ),
        )
        .then(
          started => {
            connection = started;
            if (settled) started.abort();
          },
          error => settle(() => reject(this.errorOf(what, error))),
        );
    });
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

  async listPods(namespace: string, name: string): Promise<PodSummary[]> {
    const what = `Deployment ${namespace}/${name}`;
    const deployment = await this.call(`read ${what}`, () =>
      this.apps.readNamespacedDeployment({ namespace, name }),
    ).catch(error => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    const matchLabels = deployment?.spec?.selector?.matchLabels;
    if (!deployment || !matchLabels) return [];
    const pods = await this.call(`list the pods of ${what}`, () =>
      this.core.listNamespacedPod({
        namespace,
        labelSelector: Object.entries(matchLabels)
          .map(([key, value]) => `${key}=${value}`)
          .join(','),
      }),
    );
    return pods.items
      .map(pod => {
        const statuses = pod.status?.containerStatuses ?? [];
        return {
          name: pod.metadata!.name!,
          phase: pod.status?.phase ?? 'Unknown',
          ready:
            statuses.length > 0 && statuses.every(container => container.ready),
          restarts: statuses.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
          containers: (pod.spec?.containers ?? []).map(c => c.name),
          startedAt: pod.status?.startTime
            ? new Date(pod.status.startTime).toISOString()
            : undefined,
        };
      })
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  }

  async streamLogs(
    namespace: string,
    pod: string,
    container: string,
    options: LogOptions,
    onLine: (line: LogLine) => void,
  ): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return;
    let rest = '';
    const emit = (raw: string) => {
      // `timestamps=true`: each line starts with its RFC 3339 time and a space.
      const space = raw.indexOf(' ');
      onLine(
        space > 0
          ? { time: raw.slice(0, space), text: raw.slice(space + 1) }
          : { time: new Date().toISOString(), text: raw },
      );
    };
    await new Promise<void>((resolve, reject) => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const lines = (rest + chunk.toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          lines.forEach(emit);
          callback();
        },
        final(callback) {
          if (rest) emit(rest);
          rest = '';
          callback();
        },
      });
      sink.on('finish', () => resolve());
      sink.on('error', reject);
      // The response body client-node pipes in: it errors when the read is
      // aborted (expected: `signal`) or the connection breaks (a failure).
      sink.on('pipe', source =>
        source.on('error', (error: Error) => {
          if (signal?.aborted) resolve();
          else
            reject(this.errorOf(`read the log of ${namespace}/${pod}`, error));
        }),
      );
      this.call(`read the log of ${namespace}/${pod} (${container})`, () =>
        this.logs.log(namespace, pod, container, sink, {
          follow: options.follow ?? false,
          sinceSeconds: options.sinceSeconds,
          sinceTime: options.sinceTime,
          tailLines: options.tailLines,
          timestamps: true,
        }),
      ).then(controller => {
        const stop = () => {
          controller.abort();
          if (rest) emit(rest);
          rest = '';
          resolve();
        };
        if (signal?.aborted) stop();
        signal?.addEventListener('abort', stop, { once: true });
      }, reject);
    });
  }

  /** Runs one request, turning its failure into the matching @backstage/errors class. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.errorOf(what, error);
    }
  }

  /** A failed request as the matching @backstage/errors class. */
  private errorOf(what: string, error: unknown): unknown {
    if (error instanceof ApiException) {
      const message = `Kubernetes refused to ${what}: ${apiMessage(error)}`;
      switch (error.code) {
        case 400:
        case 422:
          return new InputError(message);
        case 401:
        case 403:
          return new NotAllowedError(message);
        case 404:
          return new NotFoundError(message);
        case 409:
          return new ConflictError(message);
        case 503:
          return new ServiceUnavailableError(message);
        default:
          return new Error(message);
      }
    }
    const text = `${(error as Error).message} ${
      (error as { cause?: Error }).cause?.message ?? ''
    } ${(error as { code?: string }).code ?? ''}`;
    if (NETWORK_ERRORS.test(text)) {
      return new ServiceUnavailableError(
        `The Kubernetes API at ${
          this.server
        } is unreachable (could not ${what}): ${text.trim()}. Check that the cluster is up.`,
      );
    }
    return error;
  }
}
