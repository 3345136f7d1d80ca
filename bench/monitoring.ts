/**
 * Monitoring benchmark (issue 13), against a local platform that is up (`yarn platform up`, or
 * a test platform): Prometheus' and Alertmanager's RSS with N golden-path services scraped
 * through their ServiceMonitors, and the p95 of the metrics API's Prometheus queries.
 *
 *   node bench/monitoring.ts --run .paved/test-run --image registry.paved.local/<svc>:<sha> \
 *     [--services 20] [--requests 100] [--settle 60]
 *
 * The image is any golden-path service's (it serves /metrics), e.g. one Create Service built.
 * The bench applies N namespaces `bench-mon-<i>` with a Deployment (1 replica), a Service and a
 * ServiceMonitor each, waits for Prometheus to have every target up, lets it scrape for
 * `--settle` seconds, samples both processes' RSS every 5 s for 30 s, then runs the metrics
 * API's eight queries per environment (the templates of deployments-backend's MetricsService,
 * copied here: this file runs on Node alone) `--requests` times for the 1h and 30d windows, and
 * deletes the namespaces. Printed as tables; nothing is timed in a test.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    run: { type: 'string', default: '.paved/run' },
    image: { type: 'string' },
    services: { type: 'string', default: '20' },
    requests: { type: 'string', default: '100' },
    settle: { type: 'string', default: '60' },
    kubectl: {
      type: 'string',
      default: '/var/cache/paved/kubernetes-v1.37.2/kubectl',
    },
  },
});
if (!opts.image)
  throw new Error('--image: a golden-path image (it serves /metrics)');
const run = path.resolve(opts.run!);
const prometheus = fs
  .readFileSync(path.join(run, 'prometheus/url'), 'utf8')
  .trim();
const n = Number(opts.services);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const kubectl = (args: string[], input?: string) =>
  execFileSync(
    opts.kubectl!,
    ['--kubeconfig', path.join(run, 'kubeconfig'), ...args],
    {
      input,
      encoding: 'utf8',
    },
  );

function rss(pidFile: string): number {
  const pid = fs.readFileSync(path.join(run, pidFile), 'utf8').trim();
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}
const sampleRss = async () => {
  const samples: Array<[number, number]> = [];
  for (let i = 0; i < 6; i++) {
    samples.push([
      rss('prometheus/prometheus.pid'),
      rss('alertmanager/alertmanager.pid'),
    ]);
    await sleep(5000);
  }
  const max = (k: 0 | 1) => Math.max(...samples.map(s => s[k]));
  return { prometheus: max(0), alertmanager: max(1) };
};

async function promQuery(
  query: string,
  params: Record<string, string>,
  path_ = 'query',
) {
  const response = await fetch(`${prometheus}/api/v1/${path_}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, ...params }),
  });
  if (!response.ok)
    throw new Error(`${query}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The eight queries MetricsService runs for one environment. */
async function metricsQueries(job: string, namespace: string, seconds: number) {
  const sel = `job="${job}",namespace="${namespace}",route!~"/healthz|/readyz"`;
  const step = Math.max(15, Math.floor(seconds / 60));
  const point = `${Math.max(60, step)}s`;
  const all = `${seconds}s`;
  const total = (r: string) => `sum(rate(http_requests_total{${sel}}[${r}]))`;
  const errors = (r: string) =>
    `sum(rate(http_requests_total{${sel},code=~"5.."}[${r}]))`;
  const p99 = (r: string) =>
    `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[${r}])))`;
  const end = Date.now() / 1000;
  const instant = { time: String(end) };
  const range = {
    start: String(end - seconds),
    end: String(end),
    step: String(step),
  };
  await Promise.all([
    promQuery(`sum(increase(http_requests_total{${sel}}[${all}]))`, instant),
    promQuery(
      `sum(increase(http_requests_total{${sel},code=~"5.."}[${all}]))`,
      instant,
    ),
    promQuery(total(all), instant),
    promQuery(`(${errors(all)} or vector(0)) / ${total(all)}`, instant),
    promQuery(p99(all), instant),
    promQuery(total(point), range, 'query_range'),
    promQuery(
      `(${errors(point)} or vector(0)) / ${total(point)}`,
      range,
      'query_range',
    ),
    promQuery(p99(point), range, 'query_range'),
  ]);
}

const manifests = (i: number) => {
  const ns = `bench-mon-${i}`;
  const labels = `{app.kubernetes.io/name: bench-svc}`;
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: bench-svc, namespace: ${ns}, labels: ${labels}}
spec:
  replicas: 1
  selector: {matchLabels: ${labels}}
  template:
    metadata: {labels: ${labels}}
    spec:
      containers:
        - name: bench-svc
          image: ${opts.image}
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /readyz, port: 8080}, periodSeconds: 2}
          resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 200m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: bench-svc, namespace: ${ns}, labels: ${labels}}
spec:
  selector: ${labels}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: bench-svc, namespace: ${ns}}
spec:
  selector: {matchLabels: ${labels}}
  endpoints: [{port: http, path: /metrics}]
`;
};

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};

async function main() {
  const before = await sampleRss();
  console.log(
    `0 services: prometheus ${before.prometheus.toFixed(
      0,
    )} MiB, alertmanager ${before.alertmanager.toFixed(0)} MiB`,
  );
  const started = Date.now();
  for (let i = 1; i <= n; i++) kubectl(['apply', '-f', '-'], manifests(i));
  try {
    for (;;) {
      const targets = (
        await (await fetch(`${prometheus}/api/v1/targets?state=active`)).json()
      ).data.activeTargets as Array<{
        labels: { namespace?: string };
        health: string;
      }>;
      const up = targets.filter(
        t => t.labels.namespace?.startsWith('bench-mon-') && t.health === 'up',
      ).length;
      if (up >= n) break;
      if (Date.now() - started > 600_000)
        throw new Error(`only ${up} of ${n} targets up after 10 min`);
      await sleep(2000);
    }
    const upSeconds = (Date.now() - started) / 1000;
    console.log(
      `${n} services applied → every target up in ${upSeconds.toFixed(
        0,
      )} s; settling ${opts.settle} s`,
    );
    await sleep(Number(opts.settle) * 1000);
    const after = await sampleRss();
    const timings: Record<string, number[]> = { '1h': [], '30d': [] };
    for (const [window, seconds] of [
      ['1h', 3600],
      ['30d', 30 * 86400],
    ] as const) {
      for (let r = 0; r < Number(opts.requests); r++) {
        const t0 = performance.now();
        await metricsQueries('bench-svc', `bench-mon-${1 + (r % n)}`, seconds);
        timings[window].push(performance.now() - t0);
      }
    }
    const rows = [
      ['measure', 'value'],
      [
        `Prometheus RSS, 0 → ${n} services (max of 6 samples)`,
        `${before.prometheus.toFixed(0)} → ${after.prometheus.toFixed(0)} MiB`,
      ],
      [
        `Alertmanager RSS, 0 → ${n} services`,
        `${before.alertmanager.toFixed(0)} → ${after.alertmanager.toFixed(
          0,
        )} MiB`,
      ],
      [
        `metrics queries (8 per environment), window 1h: p50 / p95`,
        `${pct(timings['1h'], 50).toFixed(0)} / ${pct(
          timings['1h'],
          95,
        ).toFixed(0)} ms`,
      ],
      [
        `metrics queries (8 per environment), window 30d: p50 / p95`,
        `${pct(timings['30d'], 50).toFixed(0)} / ${pct(
          timings['30d'],
          95,
        ).toFixed(0)} ms`,
      ],
    ];
    const w0 = Math.max(...rows.map(r => r[0].length));
    for (const r of rows) console.log(`| ${r[0].padEnd(w0)} | ${r[1]} |`);
    console.log(
      `${new Date().toISOString()}, ${os.cpus().length} cores, load ${os
        .loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    for (let i = 1; i <= n; i++) {
      try {
        kubectl(['delete', 'namespace', `bench-mon-${i}`, '--wait=false']);
      } catch {
        // already gone
      }
    }
  }
}

await main();
