import type { Schemas } from '../schema';

/** What GET /entities/:kind/:ns/:name/metrics returns (openapi.yaml). */
export type MetricsReport = Schemas.MetricsReport;
export type EnvironmentMetrics = Schemas.EnvironmentMetrics;
export type MetricSeries = Schemas.MetricSeries;
export type MetricsWindow = MetricsReport['window'];

/** The windows the metrics API and the Metrics tab offer (the longest is 30 days). */
export const METRICS_WINDOWS: MetricsWindow[] = ['1h', '6h', '1d', '7d', '30d'];
