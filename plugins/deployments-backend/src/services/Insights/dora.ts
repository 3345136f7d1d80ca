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
const HOUR_S = 60 * 60;
const DAY_S = 24 * HOUR_S;

/** The source of the tier thresholds, named on the page. */
export const DORA_TIER_SOURCE =
  'Accelerate State of DevOps Report 2024 (DORA, Google Cloud), software delivery performance clusters';

/** The definitions, as the page and the API state them. */
export const DORA_DEFINITIONS = {
  deploymentFrequency:
    'How often changes are deployed to production: finished production deployments per day, rollbacks and secret restarts not counted.',
  leadTime:
    "Change lead time: from the commit (the build record of the deployed image) to the change running in production (the deployment's rollout finished); the median.",
  changeFailureRate:
    'The share of production deployments that failed or needed a rollback (automatic or requested).',
  recoveryTime:
    "Failed deployment recovery time: from such a deployment to the service's next healthy production release (a succeeded deployment not rolled back itself); the median.",
};

const TIER_ORDER: DoraTier[] = ['elite', 'high', 'medium', 'low'];

/**
 * Each metric's tier is the best 2024 cluster whose value the figure meets:
 * elite deploys on demand (here: at least once a day on average), lead time
 * under a day, 5 % change failures, recovery under an hour; high once a day to
 * once a week, under a week, 20 %, under a day; medium once a week to once a
 * month, under a month, 10 %, under a day; low below that. The 2024 clusters
 * are not ordered on change failure rate (medium 10 % < high 20 %), so a rate
 * up to 20 % is high and medium is never reached on that metric alone; above
 * 20 % is low. The overall tier is the lowest of the four.
 */
export function tierOf(
  metric:
    | 'deploymentFrequency'
    | 'leadTime'
    | 'changeFailureRate'
    | 'recoveryTime',
  value: number | null,
): DoraTier | null {
  if (value === null) return null;
  switch (metric) {
    case 'deploymentFrequency':
      if (value >= 1) return 'elite';
      if (value >= 1 / 7) return 'high';
      if (value >= 1 / 30) return 'medium';
      return 'low';
    case 'leadTime':
      if (value < DAY_S) return 'elite';
      if (value < 7 * DAY_S) return 'high';
      if (value < 30 * DAY_S) return 'medium';
      return 'low';
    case 'changeFailureRate':
      if (value <= 0.05) return 'elite';
      if (value <= 0.2) return 'high';
      return 'low';
    case 'recoveryTime':
    default:
      if (value < HOUR_S) return 'elite';
      if (value < DAY_S) return 'high';
      return 'low';
  }
}

/** The median; the mean of the two middle values for an even count; null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (iso: string) => Date.parse(iso);
const isFinished = (d: DoraDeployment) =>
  d.status === 'succeeded' || d.status === 'failed';
const isRollback = (d: DoraDeployment) => !!(d.rollbackOf || d.reverts);

/** Deployments with their times parsed, oldest first: prepared once for many windows. */
export interface PreparedDeployments {
  items: Array<{
    d: DoraDeployment;
    created: number;
    finished?: number;
    commit?: number;
  }>;
  /** The ids of deployments a later, not failed, rollback undid. */
  undone: Set<string>;
  /** Each entity's deployments, oldest first, with their index in it. */
  byEntity: Map<string, number[]>;
}

export function prepareDeployments(
  deployments: DoraDeployment[],
): PreparedDeployments {
  const items = deployments
    .map(d => ({
      d,
      created: ms(d.createdAt),
      finished: d.finishedAt ? ms(d.finishedAt) : undefined,
      commit: d.commitTime ? ms(d.commitTime) : undefined,
    }))
    .sort((a, b) => a.created - b.created || (a.d.id < b.d.id ? -1 : 1));
  const undone = new Set<string>();
  const byEntity = new Map<string, number[]>();
  items.forEach(({ d }, i) => {
    // A rollback that failed undid nothing.
    if (d.status !== 'failed') {
      if (d.rollbackOf) undone.add(d.rollbackOf);
      if (d.reverts) undone.add(d.reverts);
    }
    const list = byEntity.get(d.entityRef) ?? [];
    list.push(i);
    byEntity.set(d.entityRef, list);
  });
  return { items, undone, byEntity };
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
  const prepared = Array.isArray(deployments)
    ? prepareDeployments(deployments)
    : deployments;
  const { items, undone, byEntity } = prepared;
  const fromMs = ms(window.from);
  const toMs = ms(window.to);
  const failed = (d: DoraDeployment) =>
    d.status === 'failed' || undone.has(d.id);

  const changes: number[] = [];
  items.forEach(({ d, created }, i) => {
    if (created < fromMs || created >= toMs) return;
    if (isFinished(d) && !isRollback(d) && !d.secretChange) changes.push(i);
  });

  const leadSamples: LeadTimeSample[] = [];
  for (const i of changes) {
    const { d, finished, commit } = items[i];
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
  const failures = changes.filter(i => failed(items[i].d));
  const recoverySamples: RecoverySample[] = [];
  const unrecovered: string[] = [];
  for (const i of failures) {
    const f = items[i];
    const entity = byEntity.get(f.d.entityRef)!;
    let healthy: (typeof items)[number] | undefined;
    for (let k = entity.indexOf(i) + 1; k < entity.length; k++) {
      const next = items[entity[k]];
      if (
        next.d.status === 'succeeded' &&
        !undone.has(next.d.id) &&
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
      deploymentIds: changes.map(i => items[i].d.id),
    },
    leadTime: { medianSeconds: leadMedian, samples: leadSamples },
    changeFailureRate: {
      rate,
      failed: failures.length,
      count: changes.length,
      failedDeploymentIds: failures.map(i => items[i].d.id),
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
  deployments: DoraDeployment[],
  window: { from: string; to: string },
): DoraWeek[] {
  const fromMs = ms(window.from);
  const prepared = prepareDeployments(deployments);
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
