import { DoraWeekFigures } from '@paved/plugin-deployments-common';
import { Sparkline } from '../Sparkline';

const WEEK_SECONDS = 7 * 86400;

/** One DORA figure's weekly trend as a small line (the shared Sparkline); weeks without a value break it. */
export function TrendChart(props: {
  trend: DoraWeekFigures[];
  value: (week: DoraWeekFigures) => number | null;
  label: string;
}) {
  const { trend, value, label } = props;
  const points = trend
    .map(week => [Date.parse(week.weekStart) / 1000, value(week)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== null)
    .sort((a, b) => a[0] - b[0]);
  const times = trend.map(week => Date.parse(week.weekStart) / 1000);
  const from = Math.min(...times);
  const to = Math.max(...times);
  if (trend.length === 0) return null;
  return (
    <Sparkline
      points={points}
      from={from}
      to={to}
      stepSeconds={WEEK_SECONDS}
      label={label}
      width={240}
      height={40}
    />
  );
}
