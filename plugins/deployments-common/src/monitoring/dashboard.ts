import {
  PROBE_ROUTES,
  type ServiceTier,
  TIER_OBJECTIVES,
  validateSloSpec,
} from './slo';

/**
 * A Grafana dashboard for one service in one namespace, as a ConfigMap labelled
 * `grafana_dashboard: "1"`, which kube-prometheus-stack's Grafana sidecar loads (production);
 * locally nothing reads it, the portal's Metrics tab shows the same four signals. Panels:
 * request rate, error ratio, p99 latency (the same PromQL as the metrics API) and the error
 * budget left over the dashboard's time range.
 */
export function grafanaDashboardConfigMap(input: {
  service: string;
  namespace: string;
  tier: ServiceTier;
}) {
  const spec = validateSloSpec(input);
  const sel = `job="${spec.service}",namespace="${spec.namespace}",route!~"${PROBE_ROUTES}"`;
  const budget = (100 - TIER_OBJECTIVES[spec.tier]) / 100;
  const panel = (
    id: number,
    title: string,
    expr: string,
    unit: string,
    x: number,
    y: number,
  ) => ({
    id,
    title,
    type: 'timeseries',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: 'A', expr, legendFormat: '{{namespace}}' }],
  });
  const dashboard = {
    uid: `paved-${spec.service}-${spec.namespace}`.slice(0, 40),
    title: `${spec.service} (${spec.namespace})`,
    tags: ['paved', spec.service],
    timezone: 'utc',
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }],
    },
    panels: [
      panel(
        1,
        'Request rate',
        `sum(rate(http_requests_total{${sel}}[$__rate_interval]))`,
        'reqps',
        0,
        0,
      ),
      panel(
        2,
        'Error ratio (5xx)',
        `sum(rate(http_requests_total{${sel},code=~"5.."}[$__rate_interval])) / sum(rate(http_requests_total{${sel}}[$__rate_interval]))`,
        'percentunit',
        12,
        0,
      ),
      panel(
        3,
        'p99 latency',
        `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
        's',
        0,
        8,
      ),
      panel(
        4,
        `Error budget left (availability ${TIER_OBJECTIVES[spec.tier]}%)`,
        `1 - (sum(increase(http_requests_total{${sel},code=~"5.."}[$__range])) / sum(increase(http_requests_total{${sel}}[$__range]))) / ${budget}`,
        'percentunit',
        12,
        8,
      ),
    ],
  };
  return {
    apiVersion: 'v1' as const,
    kind: 'ConfigMap' as const,
    metadata: {
      name: `${spec.service}-dashboard`,
      labels: {
        grafana_dashboard: '1',
        'app.kubernetes.io/name': spec.service,
        'backstage.io/kubernetes-id': spec.service,
      },
    },
    data: {
      [`${spec.service}.json`]: `${JSON.stringify(dashboard, null, 2)}\n`,
    },
  };
}
