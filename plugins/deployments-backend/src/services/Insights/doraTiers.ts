/**
 * The DORA definitions as Paved states them, the 2024 report's tiers and the
 * median the figures use (split from dora.ts, which computes the figures).
 */
import type { DoraTier } from './dora';

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

export const TIER_ORDER: DoraTier[] = ['elite', 'high', 'medium', 'low'];

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
  // A typed array sorts numerically without a comparator call per pair.
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
