import { Feedback, FeedbackList } from '@paved/plugin-deployments-common';

const DAY_MS = 86_400_000;

/**
 * The average rating per action and week, weeks counted back from `now`
 * (the oldest one shorter), oldest first; weeks without ratings are left out.
 */
export function weeklyAverages(
  items: Feedback[],
  windowDays: number,
  now: Date,
): FeedbackList['weekly'] {
  const from = now.getTime() - windowDays * DAY_MS;
  const sums = new Map<string, { count: number; sum: number }>();
  for (const item of items) {
    const t = Date.parse(item.createdAt);
    if (t < from || t > now.getTime()) continue;
    const weeksBack = Math.floor((now.getTime() - t) / (7 * DAY_MS));
    const key = `${item.context.action}\u0000${weeksBack}`;
    const s = sums.get(key) ?? { count: 0, sum: 0 };
    s.count += 1;
    s.sum += item.rating;
    sums.set(key, s);
  }
  return [...sums.entries()]
    .map(([key, { count, sum }]) => {
      const [action, weeksBack] = key.split('\u0000');
      const start = Math.max(
        from,
        now.getTime() - (Number(weeksBack) + 1) * 7 * DAY_MS,
      );
      return {
        action,
        weekStart: new Date(start).toISOString(),
        count,
        average: Math.round((sum / count) * 100) / 100,
      };
    })
    .sort(
      (a, b) =>
        a.weekStart.localeCompare(b.weekStart) ||
        a.action.localeCompare(b.action),
    );
}
