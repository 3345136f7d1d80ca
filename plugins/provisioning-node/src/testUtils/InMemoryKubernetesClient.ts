// TEST ONLY. A KubernetesClient over a map of objects, for the fast test
// tier: no apiserver, no controllers, no pods. Apply merges objects the
// way server-side apply merges the fields Paved sets (containers by name),
// rollouts end when the test says so. The real client is tested against
// the local platform (KubernetesClient.platform.test.ts).
import { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { diffObjects } from '../kubernetes/diff';
import { RolloutFailedError } from '../kubernetes/errors';
import { rolloutStatusOf } from '../kubernetes/rollout';
import {
  AppliedObject,
  ApplyOptions,
  KubernetesClient,
  LogLine,
  PodSummary,
  RolloutStatus,
  WaitForRolloutOptions,
} from '../kubernetes/types';
import { RolloutDiagnosis } from '../kubernetes/diagnosis';

type Obj = KubernetesObject & Record<string, unknown>;

const keyOf = (o: KubernetesObject, namespace?: string) =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? namespace ?? ''}/${
    o.metadata?.name
  }`;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Merges `patch` into `base`: objects by key, lists of named items by name, anything else replaced. */
function merge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(base)) {
    const named = (x: unknown) =>
      x !== null && typeof x === 'object' && 'name' in (x as object);
    if (patch.every(named) && base.every(named)) {
      const out = base.map(clone);
      for (const item of patch) {
        const at = out.findIndex(
          (b: { name: string }) => b.name === (item as { name: string }).name,
        );
        if (at < 0) out.push(clone(item));
        else out[at] = merge(out[at], item);
      }
      return out;
    }
    return clone(patch);
  }
  if (
    patch !== null &&
    typeof patch === 'object' &&
    base !== null &&
    typeof base === 'object' &&
    !Array.isArray(base)
  ) {
    const out: Record<string, unknown> = { ...(base as object) };
    for (const [key, value] of Object.entries(patch)) {
      out[key] = merge(out[key], value);
    }
    return out;
  }
  return clone(patch);
}

interface PendingRollout {
  resolve: (status: RolloutStatus) => void;
  reject: (error: Error) => void;
  options?: WaitForRolloutOptions;
}

/** TEST ONLY: an in-memory KubernetesClient; see the file's head. */
export class InMemoryKubernetesClient implements KubernetesClient {
  /** Every apply, in order, with its options: what a test asserts on. */
  readonly applied: Array<{
    objects: KubernetesObject[];
    options?: ApplyOptions;
  }> = [];
  private readonly objects = new Map<string, Obj>();
  private readonly rollouts = new Map<string, PendingRollout[]>();
  private readonly diagnoses = new Map<string, RolloutDiagnosis>();

  constructor(objects: KubernetesObject[] = []) {
    for (const object of objects) this.put(object);
  }

  /** Stores an object as is (e.g. a Deployment with the status a test wants). */
  put(object: KubernetesObject): void {
    this.objects.set(keyOf(object), clone(object) as Obj);
  }

  async apply(
    objects: KubernetesObject[],
    options?: ApplyOptions,
  ): Promise<AppliedObject[]> {
    this.applied.push({ objects: clone(objects), options });
    return objects.map(object => {
      const namespace =
        object.kind === 'Namespace'
          ? undefined
          : object.metadata?.namespace ?? options?.namespace;
      const withNamespace = {
        ...object,
        metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) },
      };
      const key = keyOf(withNamespace);
      const live = this.objects.get(key);
      const result = merge(live ?? {}, withNamespace) as Obj;
      if (result.kind === 'Deployment' && live) {
        const metadata = result.metadata as { generation?: number };
        metadata.generation = (metadata.generation ?? 1) + 1;
      }
      const diff = diffObjects(live, result);
      if (!options?.dryRun) this.objects.set(key, result);
      let outcome: AppliedObject['outcome'] = 'created';
      if (live) outcome = diff.length ? 'configured' : 'unchanged';
      return {
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        name: object.metadata?.name ?? '',
        namespace,
        outcome,
        diff,
      };
    });
  }

  async getRolloutStatus(
    namespace: string,
    name: string,
  ): Promise<RolloutStatus | undefined> {
    const deployment = this.objects.get(
      keyOf({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
      }),
    );
    return deployment && rolloutStatusOf(deployment as V1Deployment);
  }

  /** Pends until the test calls completeRollout or failRollout for the Deployment. */
  waitForRollout(
    namespace: string,
    name: string,
    options?: WaitForRolloutOptions,
  ): Promise<RolloutStatus> {
    return new Promise((resolve, reject) => {
      const key = `${namespace}/${name}`;
      const pending: PendingRollout = { resolve, reject, options };
      this.rollouts.set(key, [...(this.rollouts.get(key) ?? []), pending]);
      options?.signal?.addEventListener('abort', () =>
        reject(new Error('The rollout watch was stopped')),
      );
    });
  }

  /** How many watches wait on the Deployment's rollout. */
  watching(namespace: string, name: string): number {
    return this.rollouts.get(`${namespace}/${name}`)?.length ?? 0;
  }

  /** Ends the watched rollouts of a Deployment successfully. */
  completeRollout(namespace: string, name: string, revision = 2): void {
    for (const pending of this.take(namespace, name)) {
      pending.resolve({
        namespace,
        name,
        state: 'complete',
        replicas: { desired: 1, updated: 1, ready: 1, available: 1 },
        message: 'Rolled out: 1 of 1 replicas available',
        revision,
      });
    }
  }

  /** Fails the watched rollouts of a Deployment with a RolloutFailedError. */
  failRollout(
    namespace: string,
    name: string,
    diagnosis: RolloutDiagnosis,
  ): void {
    for (const pending of this.take(namespace, name)) {
      pending.reject(
        new RolloutFailedError(`Rollout failed: ${diagnosis.message}`, {
          diagnosis,
        }),
      );
    }
  }

  /** What diagnoseRollout answers for the Deployment. */
  setDiagnosis(namespace: string, name: string, diagnosis: RolloutDiagnosis) {
    this.diagnoses.set(`${namespace}/${name}`, diagnosis);
  }

  async diagnoseRollout(
    namespace: string,
    name: string,
  ): Promise<RolloutDiagnosis | undefined> {
    return this.diagnoses.get(`${namespace}/${name}`);
  }

  async read(object: KubernetesObject): Promise<KubernetesObject | undefined> {
    const found = this.objects.get(keyOf(object));
    return found && clone(found);
  }

  async delete(objects: KubernetesObject[]): Promise<void> {
    for (const object of objects) this.objects.delete(keyOf(object));
  }

  /** No pods run here: the logs API is tested on the local platform. */
  async listPods(): Promise<PodSummary[]> {
    return [];
  }

  async streamLogs(
    _namespace: string,
    _pod: string,
    _container: string,
    _options: unknown,
    _onLine: (line: LogLine) => void,
  ): Promise<void> {
    return;
  }

  private take(namespace: string, name: string): PendingRollout[] {
    const key = `${namespace}/${name}`;
    const pending = this.rollouts.get(key) ?? [];
    this.rollouts.delete(key);
    return pending;
  }
}
