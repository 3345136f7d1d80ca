import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  alertAnnotations,
  alertLabels,
  alertName,
  BURN_RATE_ALERTS,
  burnThreshold,
  objectiveFor,
  SERVICE_TIERS,
  sloPrometheusRule,
  type BurnRateAlert,
  type ServiceTier,
  type SloKind,
  type SloSpec,
  TIER_LATENCY_THRESHOLDS,
} from './slo';

// The generated rules, checked by Prometheus' own promtool (Debian's, as the local platform runs
// it: scripts/platform/lib/prometheus.sh installs it into the cache on first use): `check rules`
// on each tier's PrometheusRule, and `test rules` with series that fire each alert, series just
// under its threshold that don't, and series whose errors stopped a short window ago (the alert
// resolves). A platform test only because it takes a minute or two (it needs the platform's
// promtool, not a running platform). Every case also carries series that must not count: the probes failing, another
// service of the same namespace failing, the same service in another namespace failing.

const repoRoot = path.resolve(__dirname, '../../../..');

function run(command: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      { cwd, maxBuffer: 16 << 20, timeout: 170_000 },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                `${command} ${args.join(' ')} failed:\n${stdout}${stderr}`,
              ),
            )
          : resolve(`${stdout}${stderr}`),
    ),
  );
}

let promtool: string;
let dir: string;
beforeAll(async () => {
  const script =
    'source scripts/lib/common.sh && source scripts/platform/lib/prometheus.sh && prometheus_bin promtool';
  promtool = (await run('bash', ['-c', script], repoRoot))
    .trim()
    .split('\n')
    .pop()!;
  dir = mkdtempSync(path.join(os.tmpdir(), 'paved-slo-'));
}, 170_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REQUESTS_PER_MINUTE = 1000;

/** Series of one service in one namespace, `ratio` of its requests bad, then `after` good. */
function seriesFor(
  kind: SloKind,
  labels: string,
  le: string,
  ratio: number,
  steps: number,
  stepMinutes: number,
  goodSteps = 0,
): Array<{ series: string; values: string }> {
  const total = REQUESTS_PER_MINUTE * stepMinutes;
  const bad = Number((total * ratio).toFixed(6));
  const counter = (perStep: number, after: number) => {
    const first = `0+${perStep}x${steps}`;
    return goodSteps
      ? `${first} ${perStep * steps}+${after}x${goodSteps}`
      : first;
  };
  if (kind === 'availability') {
    return [
      {
        series: `http_requests_total{${labels},route="/orders",method="GET",code="200"}`,
        values: counter(total - bad, total),
      },
      {
        series: `http_requests_total{${labels},route="/orders",method="GET",code="500"}`,
        values: counter(bad, 0),
      },
    ];
  }
  return [
    {
      series: `http_request_duration_seconds_bucket{${labels},route="/orders",method="GET",code="200",le="${le}"}`,
      values: counter(total - bad, total),
    },
    {
      series: `http_request_duration_seconds_count{${labels},route="/orders",method="GET",code="200"}`,
      values: counter(total, total),
    },
  ];
}

const minutes = (w: string) =>
  Number(w.slice(0, -1)) *
  ({ m: 1, h: 60, d: 1440 } as Record<string, number>)[w.slice(-1)];

function testsFor(
  spec: SloSpec,
  kind: SloKind,
  alert: BurnRateAlert,
  le: string,
) {
  const objective = objectiveFor(kind, spec.tier);
  const threshold = burnThreshold(alert.burnRate, objective);
  // Samples and evaluations a fifth of the short window apart or closer: 1 minute for the
  // 5-minute window, 5 for 30 minutes, 30 for 2 and 6 hours (a 3-day window at 1-minute steps
  // would be 4,500 evaluations of every rule).
  const step = { '5m': 1, '30m': 5 }[alert.shortWindow as string] ?? 30;
  const evalMinutes = minutes(alert.longWindow) + minutes(alert.for) + 3 * step;
  const steps = Math.ceil(evalMinutes / step) + 1;
  const own = `job="${spec.service}",namespace="${spec.namespace}"`;
  const noise = (ratio: number, goodSteps = 0) => [
    ...seriesFor(kind, own, le, ratio, steps, step, goodSteps),
    // Failing probes, another service, another namespace: none of them is this SLO.
    {
      series: `http_requests_total{${own},route="/healthz",method="GET",code="503"}`,
      values: `0+${REQUESTS_PER_MINUTE * step}x${steps + goodSteps}`,
    },
    {
      series: `http_request_duration_seconds_count{${own},route="/healthz",method="GET",code="200"}`,
      values: `0+${REQUESTS_PER_MINUTE * step}x${steps + goodSteps}`,
    },
    ...seriesFor(
      kind,
      `job="other-api",namespace="${spec.namespace}"`,
      le,
      1,
      steps + goodSteps,
      step,
    ),
    ...seriesFor(
      kind,
      `job="${spec.service}",namespace="elsewhere"`,
      le,
      1,
      steps + goodSteps,
      step,
    ),
  ];
  const name = alertName(kind, alert);
  const firing = {
    exp_labels: {
      alertname: name,
      job: spec.service,
      namespace: spec.namespace,
      ...alertLabels(spec, kind, alert),
    },
    exp_annotations: alertAnnotations(spec, kind, alert),
  };
  const evalTime = `${evalMinutes}m`;
  const shortMinutes = minutes(alert.shortWindow);
  const goodSteps = Math.ceil((shortMinutes + 2 * step) / step);
  return [
    {
      name: `${name} fires at ${alert.burnRate * 1.25}x`,
      interval: `${step}m`,
      input_series: noise(threshold * 1.25),
      alert_rule_test: [
        { eval_time: evalTime, alertname: name, exp_alerts: [firing] },
      ],
    },
    {
      name: `${name} stays quiet at ${alert.burnRate * 0.8}x`,
      interval: `${step}m`,
      input_series: noise(threshold * 0.8),
      alert_rule_test: [
        { eval_time: evalTime, alertname: name, exp_alerts: [] },
      ],
    },
    {
      name: `${name} resolves once the errors stopped for its short window (${alert.shortWindow})`,
      interval: `${step}m`,
      input_series: noise(threshold * 1.25, goodSteps),
      alert_rule_test: [
        { eval_time: evalTime, alertname: name, exp_alerts: [firing] },
        {
          eval_time: `${evalMinutes + goodSteps * step}m`,
          alertname: name,
          exp_alerts: [],
        },
      ],
    },
  ].map(t => ({ ...t, step }));
}

describe.each(SERVICE_TIERS)('the SLO rules of a %s service', tier => {
  const spec: SloSpec = {
    service: 'orders-api',
    namespace: 'orders-api-staging',
    tier: tier as ServiceTier,
    metricsUrl:
      'http://localhost:3000/catalog/default/component/orders-api/metrics',
  };
  // Python's client writes the 1-second bound as "1.0", Go's and JavaScript's as "1".
  const threshold = TIER_LATENCY_THRESHOLDS[tier as ServiceTier];
  const le = Number.isInteger(threshold) ? `${threshold}.0` : String(threshold);

  it('pass promtool check rules and promtool test rules for every alert', async () => {
    const rule = sloPrometheusRule(spec);
    const rulesFile = path.join(dir, `${tier}-rules.yaml`);
    writeFileSync(
      rulesFile,
      JSON.stringify({ groups: rule.spec.groups }, null, 2),
    );
    expect(await run(promtool, ['check', 'rules', rulesFile])).toMatch(
      /SUCCESS: 22 rules found/,
    );

    const tests = (['availability', 'latency'] as const).flatMap(kind =>
      BURN_RATE_ALERTS.flatMap(alert => testsFor(spec, kind, alert, le)),
    );
    expect(tests).toHaveLength(2 * 4 * 3);
    const files = [1, 5, 30].map(step => {
      const file = path.join(dir, `${tier}-test-${step}m.yaml`);
      writeFileSync(
        file,
        JSON.stringify({
          rule_files: [rulesFile],
          evaluation_interval: `${step}m`,
          tests: tests
            .filter(t => t.step === step)
            .map(({ step: _, ...t }) => t),
        }),
      );
      return file;
    });
    const output = await run(promtool, ['test', 'rules', ...files]);
    expect(output).toMatch(/SUCCESS/);
    expect(output).not.toMatch(/FAILED/);
  }, 170_000);
});
