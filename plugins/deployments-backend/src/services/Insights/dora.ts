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
 *
 * Past 400 lines because the preparation (what each deployment is, once) and
 * the figures that only count over it are one piece: they change together.
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

/** Digits `from`..`to` of `s` as a number; NaN when one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `Date.parse`, read directly for the form the stores write
 * (`toISOString()`: `2026-03-01T10:00:00.000Z`; `Date.parse` was a third of
 * preparing the deployments). Anything else, or a field outside the ranges
 * where both agree (years before 1000, days past the 28th, ...),
 * goes to `Date.parse` (parseTime.test.ts holds them to the same values).
 */
export function parseTime(iso: string): number {
  if (
    iso.length === 24 &&
    iso.charCodeAt(4) === 45 && // -
    iso.charCodeAt(7) === 45 &&
    iso.charCodeAt(10) === 84 && // T
    iso.charCodeAt(13) === 58 && // :
    iso.charCodeAt(16) === 58 &&
    iso.charCodeAt(19) === 46 && // .
    iso.charCodeAt(23) === 90 // Z
  ) {
    const year = digits(iso, 0, 4);
    const month = digits(iso, 5, 7);
    const day = digits(iso, 8, 10);
    const hour = digits(iso, 11, 13);
    const minute = digits(iso, 14, 16);
    const second = digits(iso, 17, 19);
    const milli = digits(iso, 20, 23);
    if (
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      milli >= 0
    ) {
      return Date.UTC(year, month - 1, day, hour, minute, second, milli);
    }
  }
  return Date.parse(iso);
}
const isFinished = (d: DoraDeployment) =>
  d.status === 'succeeded' || d.status === 'failed';
const isRollback = (d: DoraDeployment) => !!(d.rollbackOf || d.reverts);

/** One deployment with its times parsed and its place in its entity's history. */
export interface PreparedDeployment {
  d: DoraDeployment;
  created: number;
  finished?: number;
  /** A later, not failed, rollback undid it. */
  undone: boolean;
  /** A change deployment: finished, neither a rollback nor a secret change's restart. */
  change: boolean;
  /** A change that failed or was undone. */
  failed: boolean;
  /** A succeeded change's lead time in seconds, when its commit time is known. */
  leadSeconds?: number;
  /** Its entity's next healthy release (succeeded, finished, not undone) after it. */
  nextHealthy?: PreparedDeployment;
  /** Its entity: an index into `entities`. */
  entity: number;
}

/**
 * Deployments with their times parsed, oldest first, and what each one is
 * (change, failure, lead time, the release it recovered with), which no window
 * changes: prepared once for the organisation, every group and every week of a
 * trend, which then only count (parsing the times and building each week's
 * lists was most of the work; docs/decisions/0021, "Speed").
 */
export interface PreparedDeployments {
  items: PreparedDeployment[];
  /** The entity refs the items' `entity` indexes name. */
  entities: string[];
}

export function prepareDeployments(
  deployments: DoraDeployment[],
): PreparedDeployments {
  const items: PreparedDeployment[] = new Array(deployments.length);
  for (let i = 0; i < deployments.length; i++) {
    const d = deployments[i];
    items[i] = {
      d,
      created: parseTime(d.createdAt),
      finished: d.finishedAt ? parseTime(d.finishedAt) : undefined,
      undone: false,
      change: false,
      failed: false,
      leadSeconds: undefined,
      nextHealthy: undefined,
      entity: 0,
    };
  }
  items.sort((a, b) => a.created - b.created || (a.d.id < b.d.id ? -1 : 1));
  const undone = new Set<string>();
  const entityOf = new Map<string, number>();
  const entities: string[] = [];
  const histories: PreparedDeployment[][] = [];
  for (const item of items) {
    const { d } = item;
    // A rollback that failed undid nothing.
    if (d.status !== 'failed') {
      if (d.rollbackOf) undone.add(d.rollbackOf);
      if (d.reverts) undone.add(d.reverts);
    }
    let entity = entityOf.get(d.entityRef);
    if (entity === undefined) {
      entity = entities.length;
      entityOf.set(d.entityRef, entity);
      entities.push(d.entityRef);
      histories.push([]);
    }
    item.entity = entity;
    histories[entity].push(item);
  }
  for (const history of histories) {
    // Newest first: each deployment's next healthy release is the last one seen.
    let healthy: PreparedDeployment | undefined;
    for (let k = history.length - 1; k >= 0; k--) {
      const item = history[k];
      const { d } = item;
      item.undone = undone.size > 0 && undone.has(d.id);
      item.nextHealthy = healthy;
      item.change = isFinished(d) && !isRollback(d) && !d.secretChange;
      item.failed = item.change && (d.status === 'failed' || item.undone);
      if (
        item.change &&
        d.status === 'succeeded' &&
        d.commitTime &&
        item.finished !== undefined
      ) {
        item.leadSeconds = Math.max(
          0,
          (item.finished - parseTime(d.commitTime)) / 1000,
        );
      }
      if (
        d.status === 'succeeded' &&
        !item.undone &&
        item.finished !== undefined
      ) {
        healthy = item;
      }
    }
  }
  return { items, entities };
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
 * after it (any given) still undo or recover them. With `newest`, each list
 * holds only its `newest` newest entries (counts and medians are of all).
 */
export function computeDora(
  deployments: DoraDeployment[] | PreparedDeployments,
  window: { from: string; to: string },
  options: { newest?: number } = {},
): DoraFigures {
  const { items } = Array.isArray(deployments)
    ? prepareDeployments(deployments)
    : deployments;
  return figuresOf(
    items,
    parseTime(window.from),
    parseTime(window.to),
    options.newest ?? Infinity,
  );
}

const recoverySeconds = (p: PreparedDeployment) =>
  Math.max(0, (p.nextHealthy!.finished! - p.created) / 1000);

function figuresOf(
  items: PreparedDeployment[],
  fromMs: number,
  toMs: number,
  newest: number,
): DoraFigures {
  // Only the window's own range of the (sorted) items is read; counts and
  // medians first, from numbers alone.
  const start = firstAtOrAfter(items, fromMs);
  const end = firstAtOrAfter(items, toMs);
  let count = 0;
  let failed = 0;
  const leads: number[] = [];
  const recoveries: number[] = [];
  for (let i = start; i < end; i++) {
    const p = items[i];
    if (!p.change) continue;
    count++;
    if (p.leadSeconds !== undefined) leads.push(p.leadSeconds);
    if (p.failed) {
      failed++;
      if (p.nextHealthy) recoveries.push(recoverySeconds(p));
    }
  }
  // Then the lists, newest first back from the end, as far as they are asked for.
  const deploymentIds: string[] = [];
  const leadSamples: LeadTimeSample[] = [];
  const failedIds: string[] = [];
  const recoverySamples: RecoverySample[] = [];
  const unrecovered: string[] = [];
  for (let i = end - 1; i >= start && newest > 0; i--) {
    const p = items[i];
    if (!p.change) continue;
    const { d } = p;
    if (deploymentIds.length < newest) deploymentIds.push(d.id);
    if (p.leadSeconds !== undefined && leadSamples.length < newest) {
      leadSamples.push({
        deploymentId: d.id,
        commitSha: d.commitSha,
        commitTime: d.commitTime!,
        seconds: p.leadSeconds,
      });
    }
    if (p.failed) {
      if (failedIds.length < newest) failedIds.push(d.id);
      if (p.nextHealthy) {
        if (recoverySamples.length < newest) {
          recoverySamples.push({
            deploymentId: d.id,
            recoveredBy: p.nextHealthy.d.id,
            seconds: recoverySeconds(p),
          });
        }
      } else if (unrecovered.length < newest) {
        unrecovered.push(d.id);
      }
    }
    const done = (list: unknown[], total: number) =>
      list.length >= newest || list.length === total;
    if (
      done(deploymentIds, count) &&
      done(leadSamples, leads.length) &&
      done(failedIds, failed) &&
      done(recoverySamples, recoveries.length) &&
      done(unrecovered, failed - recoveries.length)
    ) {
      break;
    }
  }
  for (const list of [
    deploymentIds,
    leadSamples,
    failedIds,
    recoverySamples,
    unrecovered,
  ]) {
    list.reverse();
  }

  const days = (toMs - fromMs) / DAY_MS;
  const perDay = days > 0 ? count / days : 0;
  const rate = count ? failed / count : null;
  const leadMedian = median(leads);
  const recoveryMedian = median(recoveries);
  const tiers = {
    deploymentFrequency: count ? tierOf('deploymentFrequency', perDay) : null,
    leadTime: tierOf('leadTime', leadMedian),
    changeFailureRate: tierOf('changeFailureRate', rate),
    recoveryTime: tierOf('recoveryTime', recoveryMedian),
  };
  const known = Object.values(tiers).filter((t): t is DoraTier => t !== null);
  return {
    deploymentFrequency: { count, perDay, deploymentIds },
    leadTime: { medianSeconds: leadMedian, samples: leadSamples },
    changeFailureRate: {
      rate,
      failed,
      count,
      failedDeploymentIds: failedIds,
    },
    recoveryTime: {
      medianSeconds: recoveryMedian,
      samples: recoverySamples,
      unrecoveredDeploymentIds: unrecovered,
    },
    tier: {
      overall: count
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
  const fromMs = parseTime(window.from);
  const prepared = Array.isArray(deployments)
    ? prepareDeployments(deployments)
    : deployments;
  const weeks: DoraWeek[] = [];
  for (let end = parseTime(window.to); end > fromMs; end -= 7 * DAY_MS) {
    const start = Math.max(fromMs, end - 7 * DAY_MS);
    // A week's failures recover with deployments after it: give it all of them.
    // Counts and medians only: no lists.
    const figures = figuresOf(prepared.items, start, end, 0);
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
  const groups = new Map<string, PreparedDeployments>();
  // Each entity's group, asked for once (null: none).
  const groupOf: Array<PreparedDeployments | null | undefined> = new Array(
    prepared.entities.length,
  );
  for (const item of prepared.items) {
    let group = groupOf[item.entity];
    if (group === undefined) {
      const key = keyOf(prepared.entities[item.entity]);
      group = key ? groups.get(key) : null;
      if (key && !group) {
        group = { items: [], entities: prepared.entities };
        groups.set(key, group);
      }
      groupOf[item.entity] = group ?? null;
    }
    if (group) group.items.push(item);
  }
  return groups;
}
