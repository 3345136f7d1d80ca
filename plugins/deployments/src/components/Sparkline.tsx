/**
 * A small SVG line chart of [unix seconds, value] points: no chart library, so the Metrics tab
 * adds nothing to the bundle. Gaps (no data) break the line. Values are scaled from 0 to the
 * series' maximum.
 */
export function Sparkline(props: {
  points: ReadonlyArray<ReadonlyArray<number>>;
  from: number;
  to: number;
  stepSeconds: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const { points, from, to, stepSeconds, label } = props;
  const width = props.width ?? 320;
  const height = props.height ?? 64;
  const max = Math.max(0, ...points.map(([, v]) => v)) || 1;
  const x = (t: number) => ((t - from) / Math.max(1, to - from)) * width;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  // A new segment wherever a point is more than one step and a half after the previous one.
  const segments: string[] = [];
  let previous: number | undefined;
  for (const [t, v] of points) {
    const command =
      previous === undefined || t - previous > stepSeconds * 1.5 ? 'M' : 'L';
    segments.push(`${command}${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    previous = t;
  }
  return (
    <svg
      role="img"
      aria-label={label}
      width="100%"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      style={{ display: 'block', maxWidth: width }}
    >
      <line
        x1={0}
        y1={height - 1}
        x2={width}
        y2={height - 1}
        stroke="currentColor"
        strokeOpacity={0.2}
      />
      {segments.length > 0 && (
        <path
          d={segments.join(' ')}
          fill="none"
          stroke="currentColor"
          strokeWidth={1.5}
          vectorEffect="non-scaling-stroke"
        />
      )}
    </svg>
  );
}
