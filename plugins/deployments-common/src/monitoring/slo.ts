/**
 * SLOs as code (docs/decisions/0019): a service's availability and latency SLOs, from its tier
 * and a latency threshold, as a PrometheusRule (monitoring.coreos.com/v1) of recording rules and
 * multi-window, multi-burn-rate alerts (the SRE workbook, "Alerting on SLOs", recommendation 6):
 *
 *   burn rate  long window  short window  severity
 *   14.4×      1 h          5 m           page     (2 % of a 30-day budget in an hour)
 *   6×         6 h          30 m          page     (5 % in six hours)
 *   3×         1 d          2 h           ticket   (10 % in a day)
 *   1×         3 d          6 h           ticket   (10 % in three days)
 *
 * An alert fires when the error ratio exceeds burn rate × (1 − objective) over both windows: the
 * long one says the budget is really burning, the short one that it still is (so the alert
 * resolves minutes after the errors stop). Pure: the golden path writes the result into the
 * service's repository and applies it; `promtool test rules` checks every alert
 * (slo.platform.test.ts).
 *
 * The SLIs come from the skeletons' metrics (http_requests_total and the
 * http_request_duration_seconds histogram by route, method and code), scraped through the
 * service's ServiceMonitor, whose job label is the service's name. The probes (/healthz,
 * /readyz) are not traffic and are left out.
 */

export const SERVICE_TIERS = ['experimental', 'standard', 'critical'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** The availability objective of each tier, in percent. */
export const TIER_OBJECTIVES: Record<ServiceTier, number> = {
  experimental: 99.0,
  standard: 99.5,
  critical: 99.9,
};

/** The default latency threshold (seconds) each tier's p99 must stay under. */
export const TIER_LATENCY_THRESHOLDS: Record<ServiceTier, number> = {
  experimental: 1,
  standard: 0.5,
  critical: 0.25,
};

/** The skeletons' histogram bounds (seconds): a threshold must be one of them. */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** The latency SLO: this share of requests (percent) answer under the threshold (p99). */
export const LATENCY_OBJECTIVE = 99;

/** Routes that are not traffic: the probes. */
export const PROBE_ROUTES = '/healthz|/readyz';

export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

export interface BurnRateAlert {
  /** Suffix of the alert's name, e.g. AvailabilityBudgetBurnFast. */
  speed: 'Fast' | 'Medium' | 'Slow' | 'Trickle';
  burnRate: number;
  longWindow: SloWindow;
  shortWindow: SloWindow;
  severity: 'page' | 'ticket';
  for: string;
}

export const BURN_RATE_ALERTS: BurnRateAlert[] = [
  {
    speed: 'Fast',
    burnRate: 14.4,
    longWindow: '1h',
    shortWindow: '5m',
    severity: 'page',
    for: '2m',
  },
  {
    speed: 'Medium',
    burnRate: 6,
    longWindow: '6h',
    shortWindow: '30m',
    severity: 'page',
    for: '15m',
  },
  {
    speed: 'Slow',
    burnRate: 3,
    longWindow: '1d',
    shortWindow: '2h',
    severity: 'ticket',
    for: '1h',
  },
  {
    speed: 'Trickle',
    burnRate: 1,
    longWindow: '3d',
    shortWindow: '6h',
    severity: 'ticket',
    for: '3h',
  },
];

export interface SloSpec {
  /** The service's name: its ServiceMonitor's job label, its Service's name. */
  service: string;
  /** The namespace (environment) the rules are for: the selectors name it. */
  namespace: string;
  tier: ServiceTier;
  /** Seconds; one of LATENCY_BUCKETS. Default: the tier's. */
  latencyThresholdSeconds?: number;
  /** Where an alert links to: the entity's Metrics tab. */
  metricsUrl?: string;
  /**
   * How often the rule group is evaluated (the group's `interval`); default Prometheus' own
   * (`evaluation_interval`). A short one, with `alertFor`, makes an alert fire in seconds: for
   * tests and demos on the local platform, never a real service's objective.
   */
  evaluationInterval?: string;
  /** Overrides every alert's `for` (default the SRE workbook's, e.g. 2m for the fast burn). */
  alertFor?: string;
}

export type SloKind = 'availability' | 'latency';

/** Thrown for a spec the rules cannot be made from; `field` names what to fix. */
export class SloSpecError extends Error {
  name = 'SloSpecError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const DURATION = /^([1-9][0-9]*)(ms|s|m|h)$/;

export function validateSloSpec(
  spec: SloSpec,
): Required<Omit<SloSpec, 'metricsUrl' | 'evaluationInterval' | 'alertFor'>> &
  Pick<SloSpec, 'metricsUrl' | 'evaluationInterval' | 'alertFor'> {
  for (const field of ['evaluationInterval', 'alertFor'] as const) {
    const value = spec[field];
    if (value !== undefined && !DURATION.test(value)) {
      throw new SloSpecError(
        field,
        `${field} must be a Prometheus duration such as 5s, 1m or 2h; got ${JSON.stringify(
          value,
        )}`,
      );
    }
  }
  if (!NAME.test(spec.service) || spec.service.length > 63) {
    throw new SloSpecError(
      'service',
      `service must be a Kubernetes name (lowercase letters, digits, '-'); got ${JSON.stringify(
        spec.service,
      )}`,
    );
  }
  if (!NAME.test(spec.namespace) || spec.namespace.length > 63) {
    throw new SloSpecError(
      'namespace',
      `namespace must be a Kubernetes name; got ${JSON.stringify(
        spec.namespace,
      )}`,
    );
  }
  if (!SERVICE_TIERS.includes(spec.tier)) {
    throw new SloSpecError(
      'tier',
      `tier must be one of ${SERVICE_TIERS.join(', ')}; got ${JSON.stringify(
        spec.tier,
      )}`,
    );
  }
  const threshold =
    spec.latencyThresholdSeconds ?? TIER_LATENCY_THRESHOLDS[spec.tier];
  if (!(LATENCY_BUCKETS as readonly number[]).includes(threshold)) {
    throw new SloSpecError(
      'latencyThresholdSeconds',
      `latencyThresholdSeconds must be one of the histogram's bounds (${LATENCY_BUCKETS.join(
        ', ',
      )}); got ${threshold}`,
    );
  }
  return { ...spec, latencyThresholdSeconds: threshold };
}

/** The `le` label of a bound, as every client library writes it ("1" in Go and JS, "1.0" in Python). */
export function leMatcher(seconds: number): string {
  const text = String(seconds);
  return Number.isInteger(seconds) ? `${text}|${text}.0` : text;
}

/** The recorded error ratio of an SLO over a window. */
export function errorRatioRecord(kind: SloKind, window: SloWindow): string {
  return `paved_slo:${kind}_error_ratio:rate${window}`;
}

/** The objective (percent) of an SLO of a tier. */
export function objectiveFor(kind: SloKind, tier: ServiceTier): number {
  return kind === 'availability' ? TIER_OBJECTIVES[tier] : LATENCY_OBJECTIVE;
}

/** 1 − objective, as a number PromQL reads exactly (e.g. 0.005 for 99.5 %). */
export function errorBudget(objectivePercent: number): number {
  return Number(((100 - objectivePercent) / 100).toPrecision(6));
}

/** The threshold of a burn-rate alert: burn rate × budget, rounded to what PromQL prints. */
export function burnThreshold(
  burnRate: number,
  objectivePercent: number,
): number {
  return Number((burnRate * errorBudget(objectivePercent)).toPrecision(6));
}

const ALERT_NAMES: Record<SloKind, string> = {
  availability: 'AvailabilityBudgetBurn',
  latency: 'LatencyBudgetBurn',
};

export function alertName(kind: SloKind, alert: BurnRateAlert): string {
  return `${ALERT_NAMES[kind]}${alert.speed}`;
}

export interface PrometheusRuleObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    groups: Array<{
      name: string;
      interval?: string;
      rules: Array<Record<string, unknown>>;
    }>;
  };
}

/** The annotations an alert carries (promtool tests expect exactly these). */
export function alertAnnotations(
  spec: SloSpec,
  kind: SloKind,
  alert: BurnRateAlert,
): Record<string, string> {
  const objective = objectiveFor(kind, spec.tier);
  const what =
    kind === 'availability'
      ? `${objective}% of requests succeed`
      : `${objective}% of requests answer within ${
          spec.latencyThresholdSeconds ?? TIER_LATENCY_THRESHOLDS[spec.tier]
        }s`;
  return {
    summary: `${spec.service} in ${spec.namespace} is burning its ${kind} error budget ${alert.burnRate}x too fast`,
    description:
      `The ${kind} SLO (${what}) is failing at ${alert.burnRate}x the sustainable rate over both ` +
      `${alert.longWindow} and ${alert.shortWindow}: at this pace the 30-day budget lasts ` +
      `${Math.round((30 * 24) / alert.burnRate)} hours.`,
    ...(spec.metricsUrl ? { metrics_url: spec.metricsUrl } : {}),
  };
}

/** The labels an alert carries besides alertname and the series' own (namespace, job). */
export function alertLabels(
  spec: SloSpec,
  kind: SloKind,
  alert: BurnRateAlert,
): Record<string, string> {
  return {
    severity: alert.severity,
    slo: kind,
    service: spec.service,
    burn_rate: String(alert.burnRate),
    long_window: alert.longWindow,
    short_window: alert.shortWindow,
  };
}

/** The service's SLO rules as a PrometheusRule named `<service>-slo`. */
export function sloPrometheusRule(input: SloSpec): PrometheusRuleObject {
  const spec = validateSloSpec(input);
  const selector = `job="${spec.service}",namespace="${spec.namespace}",route!~"${PROBE_ROUTES}"`;
  const le = leMatcher(spec.latencyThresholdSeconds);
  const by = 'sum by (namespace, job)';
  const recording: Array<Record<string, unknown>> = [];
  for (const w of SLO_WINDOWS) {
    recording.push({
      record: errorRatioRecord('availability', w),
      expr:
        `${by} (rate(http_requests_total{${selector},code=~"5.."}[${w}]))\n` +
        `/\n${by} (rate(http_requests_total{${selector}}[${w}]))`,
      labels: { slo: 'availability' },
    });
    recording.push({
      record: errorRatioRecord('latency', w),
      expr:
        `1 - (\n  ${by} (rate(http_request_duration_seconds_bucket{${selector},le=~"${le}"}[${w}]))\n` +
        `  /\n  ${by} (rate(http_request_duration_seconds_count{${selector}}[${w}]))\n)`,
      labels: { slo: 'latency' },
    });
  }
  const alerts: Array<Record<string, unknown>> = [];
  for (const kind of ['availability', 'latency'] as const) {
    const objective = objectiveFor(kind, spec.tier);
    for (const alert of BURN_RATE_ALERTS) {
      const threshold = burnThreshold(alert.burnRate, objective);
      const own = `{job="${spec.service}",namespace="${spec.namespace}"}`;
      alerts.push({
        alert: alertName(kind, alert),
        expr:
          `${errorRatioRecord(kind, alert.longWindow)}${own} > ${threshold}\n` +
          `and\n${errorRatioRecord(
            kind,
            alert.shortWindow,
          )}${own} > ${threshold}`,
        for: spec.alertFor ?? alert.for,
        labels: alertLabels(spec, kind, alert),
        annotations: alertAnnotations(spec, kind, alert),
      });
    }
  }
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `${spec.service}-slo`,
      labels: {
        'app.kubernetes.io/name': spec.service,
        'backstage.io/kubernetes-id': spec.service,
        'paved.dev/tier': spec.tier,
        'paved.dev/availability-objective': String(TIER_OBJECTIVES[spec.tier]),
        'paved.dev/latency-threshold-seconds': String(
          spec.latencyThresholdSeconds,
        ),
      },
    },
    spec: {
      // One group: its rules run in order at each evaluation, so an alert reads the error
      // ratios recorded at the same instant (two groups run on their own clocks).
      groups: [
        {
          name: `${spec.service}.${spec.namespace}.slo`,
          ...(spec.evaluationInterval
            ? { interval: spec.evaluationInterval }
            : {}),
          rules: [...recording, ...alerts],
        },
      ],
    },
  };
}
