import type http from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics (prom-client), served at GET /metrics in the
 * Prometheus text format. Paved's ServiceMonitor scrapes them; its SLO rules
 * and the portal's Metrics tab read:
 *
 * - http_requests_total{route, method, code}: every request but /metrics;
 *   errors are the ones with a 5xx code.
 * - http_request_duration_seconds{route, method, code}: a latency histogram.
 *
 * `route` is the route that matched, never the raw path (unknown paths are
 * "unmatched"), so a scan of random URLs cannot blow up the series count.
 */
export interface Metrics {
  registry: Registry;
  /** Counts one answered request and its duration in seconds. */
  observe(route: string, method: string, code: number, seconds: number): void;
}

/** Seconds; the SLO's latency threshold should be one of these bounds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['route', 'method', 'code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route, method and status code.',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observe(route, method, code, seconds) {
      const labels = { route, method: METHODS.has(method) ? method : 'OTHER', code: String(code) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/**
 * Wraps a request handler: times it and counts its answer under `route`. A
 * handler that throws is answered 500 and counted as an error.
 */
export function instrument(
  metrics: Metrics,
  route: string,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observe(route, req.method ?? 'GET', res.statusCode, seconds);
    });
    try {
      await handler(req, res);
    } catch (error) {
      console.log(JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', msg: 'request failed', route, error: String(error) }));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Internal error' }));
    }
  };
}

/** GET /metrics: the registry in the Prometheus text format. */
export async function serveMetrics(metrics: Metrics, res: http.ServerResponse): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(body);
}
