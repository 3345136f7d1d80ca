/**
 * DORA's four keys over Paved's own production deployment records: pure
 * functions, no I/O (docs/decisions/0021-platform-insights.md).
 *
 * Definitions (the DORA research program's, dora.dev, "DORA's software
 * delivery metrics: the four keys"):
 * - deployment frequency: how often changes are deployed to production;
 * - change lead time: from a change's commit to it running in production;
 * - change failure rate: the share of production deployments that failed or
 *   needed a rollback (a fix forward cannot be told apart from a change here);
 * - failed deployment recovery time: from such a deployment to the next
 *   healthy production release.
 *
 * What counts here: a *change deployment* is a finished (succeeded or failed)
 * production deployment that is neither a rollback (automatic, `rollbackOf`;
 * requested, `reverts`) nor a restart for a secret change. It *failed* when its
 * rollout failed or a later rollback undid it. It *recovered* at the finish of
 * the entity's next succeeded production deployment (a rollback included) that
 * was itself not undone. Medians, as DORA's own Four Keys does.
 */

import { median, TIER_ORDER, tierOf } from './doraTiers';

export {
  DORA_DEFINITIONS,
  DORA_TIER_SOURCE,
  median,
  tierOf,
} from './doraTiers';

/** One production deployment as the insights read it. */
export interface DoraDeployment {
  id: string;
  entityRef: string;
  status: 'pending' | 'rolling-out' | 'succeeded' | 'failed';
  createdAt: string;
  finishedAt?: string;
  /** An automatic rollback: the deployment whose failed rollout it undoes. */
  rollbackOf?: string;
  /** A requested rollback: the deployment it undoes. */
  reverts?: string;
  /** A restart for a change of the environment's secrets, not a code change. */
  secretChange?: boolean;
  /** When the commit built into the deployed image was made (the build record). */
  commitTime?: string;
  commitSha?: string;
}

export type DoraTier = 'elite' | 'high' | 'medium' | 'low';

export interface LeadTimeSample {
  deploymentId: string;
  commitSha?: string;
  commitTime: string;
  seconds: number;
}

export interface RecoverySample {
  deploymentId: string;
  recoveredBy: string;
  seconds: number;
}

/** The four keys of one group of services over one window, with what each counts. */
export interface DoraFigures {
  deploymentFrequency: {
    count: number;
    perDay: number;
    deploymentIds: string[];
  };
  leadTime: {
    medianSeconds: number | null;
    samples: LeadTimeSample[];
  };
  changeFailureRate: {
    /** failed / count, 0..1; null without change deployments. */
    rate: number | null;
    failed: number;
    count: number;
    failedDeploymentIds: string[];
  };
  recoveryTime: {
    medianSeconds: number | null;
    samples: RecoverySample[];
    /** Failures with no healthy release after them yet. */
    unrecoveredDeploymentIds: string[];
  };
  tier: {
    overall: DoraTier | null;
    deploymentFrequency: DoraTier | null;
    leadTime: DoraTier | null;
    changeFailureRate: DoraTier | null;
    recoveryTime: DoraTier | null;
  };
}

export const DORA_WINDOWS = [7, 30, 90] as const;
export type DoraWindow = (typeof DORA_WINDOWS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

const ms = (iso: string) => Date.parse(iso);
const isFinished = (d: DoraDeployment) =>
  d.status === 'succeeded' || d.status === 'failed';
const isRollback = (d: DoraDeployment) => !!(d.rollbackOf || d.reverts);

/** One deployment with its times parsed and its place in its entity's history. */
export interface PreparedDeployment {
  d: DoraDeployment;
  created: number;
  finished?: number;
  commit?: number;
  /** A later, not failed, rollback undid it. */
  undone: boolean;
  /** Its entity's deployments, oldest first (shared by every group). */
  history: PreparedDeployment[];
  /** Its index in `history`. */
  position: number;
}

/**
 * Deployments with their times parsed, oldest first: prepared once for the
 * organisation, every group and every week of a trend (parsing the times was
 * most of the work when each of them prepared its own).
 */
export interface PreparedDeployments {
  items: PreparedDeployment[];
}

export function prepareDeployments(
  deployments: DoraDeployment[],
): PreparedDeployments {
  const items: PreparedDeployment[] = deployments
    .map(d => ({
      d,
      created: ms(d.createdAt),
      finished: d.finishedAt ? ms(d.finishedAt) : undefined,
      commit: d.commitTime ? ms(d.commitTime) : undefined,
      undone: false,
      history: [] as PreparedDeployment[],
      position: 0,
    }))
    .sort((a, b) => a.created - b.created || (a.d.id < b.d.id ? -1 : 1));
  const undone = new Set<string>();
  const byEntity = new Map<string, PreparedDeployment[]>();
  for (const item of items) {
    const { d } = item;
    // A rollback that failed undid nothing.
    if (d.status !== 'failed') {
      if (d.rollbackOf) undone.add(d.rollbackOf);
      if (d.reverts) undone.add(d.reverts);
    }
    let history = byEntity.get(d.entityRef);
    if (!history) {
      history = [];
      byEntity.set(d.entityRef, history);
    }
    item.history = history;
    item.position = history.length;
    history.push(item);
  }
  for (const item of items) item.undone = undone.has(item.d.id);
  return { items };
}

/** The first index whose deployment was created at or after `t` (items oldest first). */
function firstAtOrAfter(items: PreparedDeployment[], t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid].created < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The four keys of `deployments` (one group's production deployments, any
 * order) for the window [from, to). Deployments created before `from` are
 * ignored; those created in the window count, and rollbacks and releases
 * after it (any given) still undo or recover them.
 */
export function computeDora(
  deployments: DoraDeployment[] | PreparedDeployments,
  window: { from: string; to: string },
): DoraFigures {
  const { items } = Array.isArray(deployments)
    ? prepareDeployments(deployments)
    : deployments;
  const fromMs = ms(window.from);
  const toMs = ms(window.to);
  const failed = (p: PreparedDeployment) => p.d.status === 'failed' || p.undone;

  // Only the window's own range of the (sorted) items is read.
  const changes: PreparedDeployment[] = [];
  for (
    let i = firstAtOrAfter(items, fromMs), end = firstAtOrAfter(items, toMs);
    i < end;
    i++
  ) {
    const { d } = items[i];
    if (isFinished(d) && !isRollback(d) && !d.secretChange)
      changes.push(items[i]);
  }

  const leadSamples: LeadTimeSample[] = [];
  for (const { d, finished, commit } of changes) {
    if (
      d.status !== 'succeeded' ||
      !d.commitTime ||
      commit === undefined ||
      finished === undefined
    ) {
      continue;
    }
    leadSamples.push({
      deploymentId: d.id,
      commitSha: d.commitSha,
      commitTime: d.commitTime,
      seconds: Math.max(0, (finished - commit) / 1000),
    });
  }

  // The next healthy release of the entity after each failure.
  const failures = changes.filter(failed);
  const recoverySamples: RecoverySample[] = [];
  const unrecovered: string[] = [];
  for (const f of failures) {
    let healthy: PreparedDeployment | undefined;
    for (let k = f.position + 1; k < f.history.length; k++) {
      const next = f.history[k];
      if (
        next.d.status === 'succeeded' &&
        !next.undone &&
        next.finished !== undefined
      ) {
        healthy = next;
        break;
      }
    }
    if (!healthy) {
      unrecovered.push(f.d.id);
      continue;
    }
    recoverySamples.push({
      deploymentId: f.d.id,
      recoveredBy: healthy.d.id,
      seconds: Math.max(0, (healthy.finished! - f.created) / 1000),
    });
  }

  const days = (toMs - fromMs) / DAY_MS;
  const perDay = days > 0 ? changes.length / days : 0;
  const rate = changes.length ? failures.length / changes.length : null;
  const leadMedian = median(leadSamples.map(s => s.seconds));
  const recoveryMedian = median(recoverySamples.map(s => s.seconds));
  const tiers = {
    deploymentFrequency: changes.length
      ? tierOf('deploymentFrequency', perDay)
      : null,
    leadTime: tierOf('leadTime', leadMedian),
    changeFailureRate: tierOf('changeFailureRate', rate),
    recoveryTime: tierOf('recoveryTime', recoveryMedian),
  };
  const known = Object.values(tiers).filter((t): t is DoraTier => t !== null);
  return {
    deploymentFrequency: {
      count: changes.length,
      perDay,
      deploymentIds: changes.map(p => p.d.id),
    },
    leadTime: { medianSeconds: leadMedian, samples: leadSamples },
    changeFailureRate: {
      rate,
      failed: failures.length,
      count: changes.length,
      failedDeploymentIds: failures.map(p => p.d.id),
    },
    recoveryTime: {
      medianSeconds: recoveryMedian,
      samples: recoverySamples,
      unrecoveredDeploymentIds: unrecovered,
    },
    tier: {
      overall: changes.length
        ? known.reduce<DoraTier>(
            (worst, t) =>
              TIER_ORDER.indexOf(t) > TIER_ORDER.indexOf(worst) ? t : worst,
            'elite',
          )
        : null,
      ...tiers,
    },
  };
}

/** The figures of one week of a trend, without the ids. */
export interface DoraWeek {
  weekStart: string;
  deployments: number;
  leadTimeMedianSeconds: number | null;
  changeFailureRate: number | null;
  recoveryMedianSeconds: number | null;
}

/**
 * The window in weeks back from `to` (the oldest first; a 30-day window's
 * first week is its 2 oldest days).
 */
export function weeklyTrend(
  deployments: DoraDeployment[] | PreparedDeployments,
  window: { from: string; to: string },
): DoraWeek[] {
  const fromMs = ms(window.from);
  const prepared = Array.isArray(deployments)
    ? prepareDeployments(deployments)
    : deployments;
  const weeks: DoraWeek[] = [];
  for (let end = ms(window.to); end > fromMs; end -= 7 * DAY_MS) {
    const start = Math.max(fromMs, end - 7 * DAY_MS);
    // A week's failures recover with deployments after it: give it all of them.
    const figures = computeDora(prepared, {
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
    });
    weeks.unshift({
      weekStart: new Date(start).toISOString(),
      deployments: figures.deploymentFrequency.count,
      leadTimeMedianSeconds: figures.leadTime.medianSeconds,
      changeFailureRate: figures.changeFailureRate.rate,
      recoveryMedianSeconds: figures.recoveryTime.medianSeconds,
    });
  }
  return weeks;
}

/** The window's bounds: the `days` before `now`. */
export function windowOf(days: DoraWindow, now: Date) {
  return {
    from: new Date(now.getTime() - days * DAY_MS).toISOString(),
    to: now.toISOString(),
  };
}

/** Deployments grouped by a key of their entity (owner, system, ...); an entity without one is left out. */
export function groupBy<T extends DoraDeployment>(
  deployments: T[],
  keyOf: (entityRef: string) => string | undefined,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const d of deployments) {
    const key = keyOf(d.entityRef);
    if (!key) continue;
    const list = groups.get(key) ?? [];
    list.push(d);
    groups.set(key, list);
  }
  return groups;
}

/**
 * Prepared deployments grouped by a key of their entity, each group still
 * oldest first, nothing parsed again; `keyOf` is asked once per entity.
 */
export function groupPrepared(
  prepared: PreparedDeployments,
  keyOf: (entityRef: string) => string | undefined,
): Map<string, PreparedDeployments> {
  const keys = new Map<string, string | undefined>();
  const groups = new Map<string, PreparedDeployments>();
  for (const item of prepared.items) {
    const ref = item.d.entityRef;
    let key = keys.get(ref);
    if (key === undefined && !keys.has(ref)) {
      key = keyOf(ref);
      keys.set(ref, key);
    }
    if (!key) continue;
    let group = groups.get(key);
    if (!group) {
      group = { items: [] };
      groups.set(key, group);
    }
    group.items.push(item);
  }
  return groups;
}
