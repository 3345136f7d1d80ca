import http from 'node:http';
import { checkDatabase } from './database.ts';
import { createMetrics, instrument, type Metrics, serveMetrics } from './metrics.ts';

/** Settings of ${{ values.name }}, read from the environment. */
export interface Config {
  /** PORT: where to listen (default 8080). */
  port: number;
  /** DATABASE_URL: a secret, so only whether it is set is ever shown. */
  databaseUrl?: string;
  /** GIT_COMMIT: the commit the running build comes from (the image sets it), "dev" when unset. */
  version: string;
  /**
   * PAVED_SECRET_VERSIONS: the Vault versions of the secrets the pod got, e.g.
   * `app=1,env/staging=3` (the Deployment passes its pod annotation
   * `paved.dev/vault-versions`); versions only, never a value.
   */
  secretVersions: Record<string, number>;
}

/** `app=1,env/staging=3` → { app: 1, 'env/staging': 3 }. */
export function parseSecretVersions(raw: string | undefined): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const part of (raw ?? '').split(',')) {
    const [path, version] = part.split('=');
    if (path?.trim() && /^\d+$/.test(version?.trim() ?? '')) versions[path.trim()] = Number(version);
  }
  return versions;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = env.PORT || '8080';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  }
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    version: env.GIT_COMMIT || 'dev',
    secretVersions: parseSecretVersions(env.PAVED_SECRET_VERSIONS),
  };
}

/** One JSON line on stdout per event. */
export function log(level: 'INFO' | 'ERROR', msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}

/**
 * The HTTP server of ${{ values.name }}.
 * `/healthz` answers while the process runs (liveness), with the version it
 * runs; `/readyz` while it takes traffic (readiness) and 503 once it is
 * shutting down. Kubernetes probes both (deploy/kubernetes). `/info` says
 * what runs: the version, the versions of its secrets and whether the
 * database answers (it connects on every request; never the URL). `/database`
 * is the first route that needs the database, to grow from: 200 while it
 * answers and takes the service's login, 503 naming the cause when it does
 * not (e.g. `refused (28000)`: the login may not log in), so an outage of the
 * database is an outage of the service, counted against its SLO. `/metrics`
 * is for Prometheus (metrics.ts): every other request is counted and timed by
 * route, and logged (one line, not for the probes).
 */
export function createServer(
  config: Partial<Pick<Config, 'databaseUrl' | 'version' | 'secretVersions'>> = {},
  metrics: Metrics = createMetrics(),
): http.Server {
  const version = config.version || 'dev';
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const routes: Record<string, (res: http.ServerResponse) => void | Promise<void>> = {
    '/healthz': res => send(res, 200, { status: 'ok', version }),
    // After server.close() (SIGTERM) it stops listening: report draining so
    // the pod leaves the Service while in-flight requests finish.
    '/readyz': res =>
      server.listening
        ? send(res, 200, { status: 'ready', database: config.databaseUrl ? 'configured' : 'not configured' })
        : send(res, 503, { status: 'draining' }),
    '/info': async res =>
      send(res, 200, {
        service: '${{ values.name }}',
        version,
        secretVersions: config.secretVersions ?? {},
        database: await checkDatabase(config.databaseUrl),
      }),
    '/database': async res => {
      if (!config.databaseUrl) return send(res, 404, { error: 'No database: DATABASE_URL is not set' });
      const database = await checkDatabase(config.databaseUrl);
      if (database === 'answers') return send(res, 200, { database });
      send(res, 503, { error: `The database does not answer: ${database}`, database });
    },
    '/': res => send(res, 200, { service: '${{ values.name }}', description: ${{ values.description | dump }} }),
  };
  const handlers = new Map(
    Object.entries(routes).map(([path, route]) => [
      path,
      instrument(metrics, path, (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.setHeader('allow', 'GET, HEAD');
          return send(res, 405, { error: `${req.method} is not allowed on ${path}` });
        }
        return route(res);
      }),
    ]),
  );
  const unmatched = instrument(metrics, 'unmatched', (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    send(res, 404, { error: `No route for ${req.method} ${path}` });
  });
  const server: http.Server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!['/healthz', '/readyz', '/metrics'].includes(path)) {
      res.once('finish', () => log('INFO', 'request', { method: req.method, path, status: res.statusCode }));
    }
    if (path === '/metrics') {
      void serveMetrics(metrics, res);
      return;
    }
    void (handlers.get(path) ?? unmatched)(req, res);
  });
  return server;
}
