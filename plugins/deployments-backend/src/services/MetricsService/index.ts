export { MetricsService } from './MetricsService';
export { HttpPrometheusClient } from './PrometheusClient';
export type { PrometheusClient, PromSeries } from './PrometheusClient';
