import { InputError } from '@backstage/errors';

/** The furthest back `since` may reach. */
export const MAX_SINCE_SECONDS = 30 * 24 * 3600;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * The logs API's `since`: a duration (`30s`, `15m`, `1h`, `2d`) or a time
 * (ISO 8601) at most 30 days ago, as the kubelet's `sinceSeconds` or
 * `sinceTime`. Anything else is an InputError naming `since` and the fix.
 */
export function parseSince(
  value: string | undefined,
  now: Date = new Date(),
): { sinceSeconds?: number; sinceTime?: string } {
  if (value === undefined || value === '') return {};
  const duration = /^(\d+)([smhd])$/.exec(value);
  let seconds: number;
  if (duration) {
    seconds = Number(duration[1]) * UNITS[duration[2]];
    if (seconds < 1) {
      throw new InputError('since: must be at least 1s; e.g. 30s, 15m, 1h');
    }
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !isNaN(Date.parse(value))) {
    const time = new Date(value);
    seconds = Math.ceil((now.getTime() - time.getTime()) / 1000);
    if (seconds <= MAX_SINCE_SECONDS) {
      return { sinceTime: time.toISOString() };
    }
  } else {
    throw new InputError(
      `since: "${value}" is neither a duration nor a time; send e.g. 30s, 15m, 1h, 2d or 2026-11-29T03:00:00Z`,
    );
  }
  if (seconds > MAX_SINCE_SECONDS) {
    throw new InputError(
      'since: at most 30 days back (30d); ask for a shorter window',
    );
  }
  return { sinceSeconds: seconds };
}
