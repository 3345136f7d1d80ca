import { KubernetesObject } from '@kubernetes/client-node';
import { RolloutDiagnosis } from './diagnosis';

/** What server-side apply did (or, in a dry run, would do) to one object. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Unset for cluster-scoped kinds such as Namespace. */
  namespace?: string;
  outcome: ApplyOutcome;
  /**
   * Changed fields, one line each (`+ path: value`, `- path`, `~ path: old → new`).
   * Values of Secrets are shown as `***`.
   */
  diff: string[];
}

export interface ApplyOptions {
  /** Server-side dry run: the apiserver validates and admits, nothing is stored. */
  dryRun?: boolean;
  /** Namespace for namespaced objects whose manifest names none. */
  namespace?: string;
  /**
   * Server-side apply field manager (default `paved`). Applying a partial
   * object under the default manager would drop the fields it owned before.
   */
  fieldManager?: string;
}

/** A Deployment's rollout, as `kubectl rollout status` judges it. */
export interface RolloutStatus {
  namespace: string;
  name: string;
  /** `progressing` until every replica runs the current template; `failed` after the progress deadline. */
  state: 'progressing' | 'complete' | 'failed';
  /** The image of the first container of the current template. */
  image?: string;
  /** The name of the first container of the current template. */
  container?: string;
  replicas: {
    desired: number;
    updated: number;
    ready: number;
    available: number;
  };
  /** Human-readable, e.g. "1 of 2 updated replicas are available". */
  message: string;
  /** The Deployment's `deployment.kubernetes.io/revision`. */
  revision?: number;
}

export interface WaitForRolloutOptions {
  /** Gives up with a timeout error after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Called whenever the status changes. */
  onProgress?: (status: RolloutStatus) => void;
  signal?: AbortSignal;
  /**
   * How often the new pods are checked for a problem that fails the rollout
   * at once (a missing image, a crash loop); 0 turns it off (default 2 s).
   */
  diagnoseEveryMs?: number;
}

/** A pod of a Deployment, as the logs API lists it. */
export interface PodSummary {
  name: string;
  /** The pod's phase: Pending, Running, Succeeded, Failed or Unknown. */
  phase: string;
  /** Every container is ready. */
  ready: boolean;
  /** Restarts of all its containers together. */
  restarts: number;
  /** Its containers' names, the first is the service's. */
  containers: string[];
  /** When the pod started (ISO). */
  startedAt?: string;
}

/** What part of a container's log to read. At most one of sinceSeconds and sinceTime. */
export interface LogOptions {
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
  /** The last N lines (of what `since` selects). */
  tailLines?: number;
  /** Keep reading new lines until `signal` aborts or the container ends. */
  follow?: boolean;
  signal?: AbortSignal;
}

/** One line of a container's log, with the time the container runtime recorded it. */
export interface LogLine {
  /** RFC 3339 with nanoseconds, as the kubelet writes it. */
  time: string;
  text: string;
}

/** Paved's Kubernetes client: server-side apply, dry run and diff, rollout watch. */
export interface KubernetesClient {
  /** Server-side applies each object in order, as field manager `paved`. */
  apply(
    objects: KubernetesObject[],
    options?: ApplyOptions,
  ): Promise<AppliedObject[]>;
  /** The rollout status of a Deployment, or undefined if it doesn't exist. */
  getRolloutStatus(
    namespace: string,
    name: string,
  ): Promise<RolloutStatus | undefined>;
  /**
   * Resolves once the rollout is complete; rejects with a RolloutFailedError
   * (with a diagnosis when the pods show one) when it failed or timed out.
   */
  waitForRollout(
    namespace: string,
    name: string,
    options?: WaitForRolloutOptions,
  ): Promise<RolloutStatus>;
  /** Why the pods of the Deployment's current version aren't ready; undefined when nothing is wrong. */
  diagnoseRollout(
    namespace: string,
    name: string,
  ): Promise<RolloutDiagnosis | undefined>;
  /** Reads the live object named by apiVersion, kind, name and namespace; undefined when absent. */
  read(object: KubernetesObject): Promise<KubernetesObject | undefined>;
  /** Deletes objects; ones already gone are skipped. */
  delete(objects: KubernetesObject[]): Promise<void>;
  /** The pods the Deployment's selector matches, oldest first; [] when the Deployment doesn't exist. */
  listPods(namespace: string, deployment: string): Promise<PodSummary[]>;
  /**
   * Reads a container's log line by line (the kubelet's log API), calling
   * `onLine` for each; resolves when the log ends (without `follow`: at once;
   * with it: when the container stops or `signal` aborts).
   */
  streamLogs(
    namespace: string,
    pod: string,
    container: string,
    options: LogOptions,
    onLine: (line: LogLine) => void,
  ): Promise<void>;
}
