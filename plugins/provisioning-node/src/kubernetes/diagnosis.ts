import { CoreV1Event, V1Pod } from '@kubernetes/client-node';

/**
 * Why the pods of a rollout's new version do not become ready.
 *
 * - `ImagePull`: the image can't be pulled (no such image or tag, no access).
 * - `CrashLoop`: the container keeps exiting. On Kubernetes 1.37 the
 *   `CrashLoopBackOff` waiting reason shows only for an instant, so this is
 *   judged from restart counts, the last termination and `BackOff` events.
 * - `ContainerConfig`: the container can't be created (a missing ConfigMap or
 *   Secret key, a bad command).
 * - `ProbeFailure`: the container runs but its readiness probe fails.
 * - `Unschedulable`: no node takes the pod.
 */
export type RolloutProblemReason =
  | 'ImagePull'
  | 'CrashLoop'
  | 'ContainerConfig'
  | 'ProbeFailure'
  | 'Unschedulable';

export interface RolloutProblem {
  reason: RolloutProblemReason;
  /** The pod and container it was seen on. */
  pod: string;
  container?: string;
  /** The cluster's own words, e.g. the pull error or the probe's failure. */
  message: string;
  /**
   * True when waiting longer can't help (the image is missing, the container
   * keeps crashing), so the rollout can be failed at once. Probe failures and
   * scheduling are final only at the rollout's progress deadline.
   */
  final: boolean;
}

/** A problem, with the failing container's last log lines when it has any. */
export interface RolloutDiagnosis extends RolloutProblem {
  logTail?: string;
}

/** Waiting reasons that mean the image can't be had. */
const PULL_FAILURES = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
]);
/** After the first failed pull the kubelet backs off: the pull failed twice. */
const FINAL_PULL_FAILURES = new Set([
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
const CONFIG_FAILURES = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);
/** Restarts after which a container that keeps exiting counts as crash-looping. */
export const CRASH_LOOP_RESTARTS = 2;

const eventsOf = (pod: string, events: CoreV1Event[]) =>
  events
    .filter(e => e.involvedObject?.name === pod)
    .sort((a, b) => time(b) - time(a));

function time(event: CoreV1Event): number {
  const at =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? undefined;
  return at ? new Date(at as unknown as string).getTime() : 0;
}

/**
 * The most telling problem among the pods of a rollout's new version, judged
 * from their status and events; undefined while nothing is wrong (yet).
 * A pure function, so the rules are tested without a cluster.
 */
export function diagnosePods(
  pods: V1Pod[],
  events: CoreV1Event[],
): RolloutProblem | undefined {
  const problems: RolloutProblem[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) continue;
    const podEvents = eventsOf(name, events);
    const scheduled = pod.status?.conditions?.find(
      c => c.type === 'PodScheduled',
    );
    if (scheduled?.status === 'False') {
      problems.push({
        reason: 'Unschedulable',
        pod: name,
        message: `Pod ${name} can't be scheduled: ${
          scheduled.message ?? scheduled.reason ?? 'no reason given'
        }`,
        final: false,
      });
      continue;
    }
    for (const status of pod.status?.containerStatuses ?? []) {
      const container = status.name;
      const waiting = status.state?.waiting;
      const terminated = status.lastState?.terminated;
      const backOff = podEvents.some(
        e =>
          e.reason === 'BackOff' &&
          /restarting failed container/i.test(e.message ?? '') &&
          (e.message ?? '').includes(container),
      );
      if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
        problems.push({
          reason: 'ImagePull',
          pod: name,
          container,
          message: `${waiting.reason}: ${
            waiting.message ?? `the image ${status.image} can't be pulled`
          }`,
          final: FINAL_PULL_FAILURES.has(waiting.reason),
        });
      } else if (waiting?.reason && CONFIG_FAILURES.has(waiting.reason)) {
        problems.push({
          reason: 'ContainerConfig',
          pod: name,
          container,
          message: `${waiting.reason}: ${waiting.message ?? ''}`.trim(),
          final: true,
        });
      } else if (
        terminated &&
        (status.restartCount >= CRASH_LOOP_RESTARTS ||
          waiting?.reason === 'CrashLoopBackOff' ||
          backOff)
      ) {
        const how =
          terminated.reason === 'OOMKilled'
            ? 'was killed for using more memory than its limit (OOMKilled)'
            : `exited with code ${terminated.exitCode}${
                terminated.reason ? ` (${terminated.reason})` : ''
              }`;
        problems.push({
          reason: 'CrashLoop',
          pod: name,
          container,
          message: `Container ${container} keeps crashing: it ${how}, ${
            status.restartCount
          } restart${status.restartCount === 1 ? '' : 's'} so far`,
          final: true,
        });
      } else if (status.state?.running && !status.ready) {
        const probe = podEvents.find(
          e =>
            e.reason === 'Unhealthy' &&
            /readiness probe/i.test(e.message ?? ''),
        );
        if (probe) {
          problems.push({
            reason: 'ProbeFailure',
            pod: name,
            container,
            message: probe.message ?? 'Readiness probe failed',
            final: false,
          });
        }
      }
    }
  }
  // The most certain first: a final problem beats one that may still clear.
  return problems.sort((a, b) => Number(b.final) - Number(a.final))[0];
}

/** Log text cut to its last lines and characters, for a record or a message. */
export function tailOf(log: string, lines = 20, chars = 4000): string {
  const tail = log.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  return tail.length > chars ? tail.slice(tail.length - chars) : tail;
}
