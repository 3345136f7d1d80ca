import { grafanaDashboardConfigMap } from './dashboard';
import {
  burnThreshold,
  errorBudget,
  leMatcher,
  sloPrometheusRule,
  SloSpecError,
  validateSloSpec,
} from './slo';

const spec = {
  service: 'orders-api',
  namespace: 'orders-api-staging',
  tier: 'standard' as const,
};

describe('SLOs as code', () => {
  it('takes the objective from the tier and the burn thresholds from the SRE workbook', () => {
    expect(errorBudget(99.0)).toBe(0.01);
    expect(errorBudget(99.5)).toBe(0.005);
    expect(errorBudget(99.9)).toBe(0.001);
    expect(burnThreshold(14.4, 99.9)).toBe(0.0144);
    expect(burnThreshold(6, 99.5)).toBe(0.03);
    expect(burnThreshold(3, 99.0)).toBe(0.03);
    expect(burnThreshold(1, 99.5)).toBe(0.005);
  });

  it('writes one group of recording rules for 7 windows and 8 alerts, scoped to the service and namespace', () => {
    const rule = sloPrometheusRule(spec);
    expect(rule.metadata.name).toBe('orders-api-slo');
    const rules = rule.spec.groups[0].rules;
    expect(rules.filter(r => r.record)).toHaveLength(14);
    const alerts = rules.filter(r => r.alert);
    expect(alerts.map(a => a.alert)).toEqual([
      'AvailabilityBudgetBurnFast',
      'AvailabilityBudgetBurnMedium',
      'AvailabilityBudgetBurnSlow',
      'AvailabilityBudgetBurnTrickle',
      'LatencyBudgetBurnFast',
      'LatencyBudgetBurnMedium',
      'LatencyBudgetBurnSlow',
      'LatencyBudgetBurnTrickle',
    ]);
    expect(alerts[0].expr).toBe(
      'paved_slo:availability_error_ratio:rate1h{job="orders-api",namespace="orders-api-staging"} > 0.072\n' +
        'and\npaved_slo:availability_error_ratio:rate5m{job="orders-api",namespace="orders-api-staging"} > 0.072',
    );
    expect(alerts[0]).toMatchObject({
      for: '2m',
      labels: { severity: 'page' },
    });
    expect(alerts[3]).toMatchObject({
      labels: { severity: 'ticket', long_window: '3d', short_window: '6h' },
    });
    for (const r of rules.filter(x => x.record)) {
      expect(r.expr).toContain(
        'job="orders-api",namespace="orders-api-staging",route!~"/healthz|/readyz"',
      );
    }
    expect(
      rules.find(r => r.record === 'paved_slo:latency_error_ratio:rate5m')
        ?.expr,
    ).toContain('le=~"0.5"');
  });

  it('matches the 1-second bound as Go and JavaScript ("1") and Python ("1.0") write it', () => {
    expect(leMatcher(1)).toBe('1|1.0');
    expect(leMatcher(0.25)).toBe('0.25');
  });

  it('refuses a spec it cannot make rules from, naming the field', () => {
    const fieldOf = (bad: object) => {
      try {
        validateSloSpec({ ...spec, ...bad } as never);
        return undefined;
      } catch (e) {
        return e instanceof SloSpecError ? e.field : `not a SloSpecError: ${e}`;
      }
    };
    expect(fieldOf({ tier: 'gold' })).toBe('tier');
    expect(fieldOf({ latencyThresholdSeconds: 0.3 })).toBe(
      'latencyThresholdSeconds',
    );
    expect(fieldOf({ service: 'Orders"}' })).toBe('service');
    expect(fieldOf({ namespace: 'a b' })).toBe('namespace');
    expect(fieldOf({ alertFor: '2 minutes' })).toBe('alertFor');
    expect(fieldOf({ evaluationInterval: '0s' })).toBe('evaluationInterval');
    expect(fieldOf({})).toBeUndefined();
  });

  it("shortens the evaluation and the alerts' `for` when asked (tests, local demos)", () => {
    const quick = sloPrometheusRule({
      ...spec,
      evaluationInterval: '1s',
      alertFor: '5s',
    });
    const [group] = quick.spec.groups;
    expect(group.interval).toBe('1s');
    const fors = group.rules.filter(r => r.alert).map(r => r.for);
    expect(fors).toEqual(Array(8).fill('5s'));
    const [normal] = sloPrometheusRule(spec).spec.groups;
    expect(normal.interval).toBeUndefined();
    expect(normal.rules.find(r => r.alert)?.for).toBe('2m');
  });

  it('generates a Grafana dashboard ConfigMap for the sidecar', () => {
    const cm = grafanaDashboardConfigMap(spec);
    expect(cm.metadata).toMatchObject({
      name: 'orders-api-dashboard',
      labels: { grafana_dashboard: '1' },
    });
    const dashboard = JSON.parse(cm.data['orders-api.json']);
    expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual([
      'Request rate',
      'Error ratio (5xx)',
      'p99 latency',
      'Error budget left (availability 99.5%)',
    ]);
  });
});
