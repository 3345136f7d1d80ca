/** Formatting of the insights' figures: durations, rates, shares, and the windows offered. */

export const INSIGHTS_WINDOWS = [7, 30, 90] as const;
export type InsightsWindow = (typeof INSIGHTS_WINDOWS)[number];

/** Seconds as the largest unit that keeps the number readable: 45 s, 12 min, 3.5 h, 2.1 days. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export function share(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return `${Math.round(value * 100)} %`;
}

export function perDay(value: number): string {
  if (value >= 1) return `${value.toFixed(1)} per day`;
  return `${(value * 7).toFixed(1)} per week`;
}
