/*
 * Deployments benchmark: deploys of a golden-path service through
 * /api/deployments against the raw floor (kubectl apply --server-side +
 * kubectl rollout status), and the read APIs with 1,000 history rows.
 *
 *  0. Creates one service with Create Service (scaffolder API, guest token) and
 *     inserts HISTORY older deployment rows for it straight into the plugin's
 *     PostgreSQL database (psql), before any real deploy, so that the real
 *     deploys stay the newest rows.
 *  1. Alternates DEPLOYS API deploys (POST /api/deployments, image
 *     registry.paved.local/<name>:1.0.N: the image Create Service built, tagged
 *     anew for each deploy) with DEPLOYS raw ones (one warm-up of
 *     each first, reported apart). API: POST → 202 and POST → the environments
 *     API shows the new image with all replicas ready, complete, and the last
 *     deployment succeeded (polled every --poll-ms). Raw: the same Secret and
 *     image change with one `kubectl apply --server-side` (field manager
 *     paved-deployments), then `kubectl rollout status`.
 *  2. GET environments and GET deployments?limit=20, WARMUP + REQUESTS each.
 *  3. Where the time goes: the calls the backend makes for a deploy, timed one
 *     by one from here (catalog lookup, Kubernetes GET and server-side apply,
 *     Vault list + reads).
 *
 * Run it through bench/deploy.sh, which brings up the platform on a private run
 * dir and ports and starts the backend on PostgreSQL. Directly:
 *   node bench/deploy.ts --backend http://localhost:27107 \
 *     --platform-config $PAVED_RUN/app-config.platform.yaml --pg-url postgresql://postgres@127.0.0.1:25732/postgres
 *
 * Node builtins, fetch and the repo's `yaml`; Node 22 strips the types.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import {
  Backend,
  loadAverage,
  log,
  median,
  newServiceName,
  now,
  percentile,
  retagImage,
  sh,
  sleep,
} from './lib/backend.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const YAML = createRequire(path.join(ROOT, 'package.json'))('yaml');

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'http://localhost:27107' },
    'platform-config': { type: 'string' },
    'pg-url': { type: 'string' },
    deploys: { type: 'string', default: process.env.BENCH_DEPLOYS ?? '10' },
    history: { type: 'string', default: process.env.BENCH_HISTORY ?? '1000' },
    requests: { type: 'string', default: process.env.BENCH_REQUESTS ?? '200' },
    warmup: { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '100' },
    work: {
      type: 'string',
      default:
        process.env.BENCH_WORK ?? path.join(os.tmpdir(), 'paved-bench-deploy'),
    },
    'ready-timeout': { type: 'string', default: '600' },
    'task-timeout': { type: 'string', default: '600' },
    'rollout-timeout': { type: 'string', default: '300' },
  },
});

const backend = new Backend(opts.backend!);
const DEPLOYS = Number(opts.deploys);
const HISTORY = Number(opts.history);
const REQUESTS = Number(opts.requests);
const WARMUP = Number(opts.warmup);
const POLL_MS = Number(opts['poll-ms']);
const WORK = path.resolve(opts.work!);
fs.mkdirSync(WORK, { recursive: true });
const cfg = YAML.parse(fs.readFileSync(opts['platform-config']!, 'utf8')).paved
  .platform;
const kenv = { ...process.env, KUBECONFIG: cfg.kubeconfig };

const ms = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));
const stats = (xs: number[]) =>
  `${ms(median(xs))} / ${ms(percentile(xs, 95))} / ${ms(percentile(xs, 99))}`;

const kubectl = (args: string[], input?: string) =>
  sh('kubectl', args, { env: kenv, input });

// ---------------------------------------------------------------------------
// The platform, as the backend reaches it (for the raw floor and the breakdown)

const kubeconfig = YAML.parse(fs.readFileSync(cfg.kubeconfig, 'utf8'));
const kubeServer: string = kubeconfig.clusters[0].cluster.server;
const kubeAgent = new https.Agent({
  keepAlive: true,
  ca: Buffer.from(
    kubeconfig.clusters[0].cluster['certificate-authority-data'],
    'base64',
  ),
});
const kubeToken: string = kubeconfig.users[0].user.token;

function kube(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${kubeServer}${urlPath}`,
      {
        method,
        agent: kubeAgent,
        headers: {
          authorization: `Bearer ${kubeToken}`,
          accept: 'application/json',
          ...(body ? { 'content-type': contentType } : {}),
        },
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', d => (text += d));
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(JSON.parse(text))
            : reject(
                new Error(`${method} ${urlPath}: ${res.statusCode} ${text}`),
              ),
        );
      },
    );
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

async function vault(method: string, urlPath: string): Promise<any> {
  const r = await fetch(`${cfg.vault.address}/v1/${urlPath}`, {
    method,
    headers: { 'x-vault-token': cfg.vault.token },
  });
  if (!r.ok) throw new Error(`Vault ${method} ${urlPath}: HTTP ${r.status}`);
  return r.json();
}

/** The Secret the backend builds from Vault (secretFromVault), built the same way. */
async function secretFromVault(name: string, vaultPath: string) {
  const [mount, ...rest] = vaultPath.split('/');
  const p = rest.join('/');
  const keys: string[] = (
    await vault('LIST', `${mount}/metadata/${p}`)
  ).data.keys.filter((k: string) => !k.endsWith('/'));
  const stringData: Record<string, string> = {};
  const versions: string[] = [];
  for (const leaf of keys.sort()) {
    const { data } = await vault('GET', `${mount}/data/${p}/${leaf}`);
    versions.push(`${leaf}=${data.metadata.version}`);
    for (const [k, v] of Object.entries(data.data as Record<string, string>))
      stringData[`${leaf}_${k}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')] = v;
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${name}-secrets`,
      annotations: {
        'paved.dev/vault-path': vaultPath,
        'paved.dev/vault-versions': versions.join(','),
      },
    },
    type: 'Opaque',
    stringData,
  };
}

// ---------------------------------------------------------------------------
// The history rows

function psql(sql: string): string {
  const url = new URL(opts['pg-url']!);
  url.pathname = '/backstage_plugin_deployments';
  return sh('psql', [
    url.toString(),
    '-v',
    'ON_ERROR_STOP=1',
    '-qtAc',
    sql,
  ]).trim();
}

/**
 * HISTORY past deployments of the service, as the plugin writes them: 80 %
 * staging / 20 % production, 7 % failed, one every 4 h up to a day ago.
 */
function insertHistory(name: string) {
  const ref = `component:default/${name}`;
  psql(`
    INSERT INTO deployments (id, entity_ref, environment, namespace, workload, image,
      replicas, revision, status, requested_by, created_at, finished_at, message)
    SELECT md5('${name}' || g)::uuid::text, '${ref}', env, '${name}-' || env, '${name}',
      'registry.paved.local/${name}:0.' || g, NULL, g,
      CASE WHEN g % 14 = 0 THEN 'failed' ELSE 'succeeded' END, 'user:default/guest',
      to_char((now() - interval '1 day' - (${HISTORY} - g) * interval '4 hours') AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      to_char((now() - interval '1 day' - (${HISTORY} - g) * interval '4 hours' + interval '40 seconds')
        AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'Deploy registry.paved.local/${name}:0.' || g || ' (bench history row)'
    FROM generate_series(1, ${HISTORY}) AS g,
      LATERAL (SELECT CASE WHEN g % 5 = 0 THEN 'production' ELSE 'staging' END AS env) AS e;
    ANALYZE deployments;`);
  return Number(
    psql(`SELECT count(*) FROM deployments WHERE entity_ref = '${ref}'`),
  );
}

// ---------------------------------------------------------------------------
// Deploys

type ApiDeploy = {
  image: string;
  status: number;
  acceptMs: number;
  /** POST → the environments API shows the new image, all replicas ready, complete. */
  liveMs?: number;
  /** POST → the environments API's last deployment is this one, succeeded. */
  succeededMs?: number;
  /** POST → both. */
  visibleMs?: number;
  deploymentStatus?: string;
  conflicts: number;
};
type RawDeploy = {
  image: string;
  applyMs: number;
  rolloutMs: number;
  totalMs: number;
};

const envUrl = (name: string) =>
  `${backend.base}/api/deployments/entities/component/default/${name}/environments`;
const historyUrl = (name: string) =>
  `${backend.base}/api/deployments/entities/component/default/${name}/deployments?limit=20`;

async function staging(name: string): Promise<any> {
  const r = await fetch(envUrl(name), { headers: await backend.headers() });
  if (!r.ok) throw new Error(`GET environments: HTTP ${r.status}`);
  return ((await r.json()) as any).items.find(
    (e: any) => e.environment === 'staging',
  );
}

async function apiDeploy(name: string, image: string): Promise<ApiDeploy> {
  const headers = await backend.headers();
  const body = JSON.stringify({
    entityRef: `component:default/${name}`,
    environment: 'staging',
    image,
  });
  let conflicts = 0;
  for (;;) {
    const t0 = now();
    const res = await fetch(`${backend.base}/api/deployments/deployments`, {
      method: 'POST',
      headers,
      body,
    });
    const deployment = (await res.json()) as any;
    const acceptMs = now() - t0;
    if (res.status === 409 && conflicts < 100) {
      // The previous deploy's watcher has not released the lock yet.
      conflicts++;
      await sleep(100);
      continue;
    }
    const result: ApiDeploy = {
      image,
      status: res.status,
      acceptMs,
      conflicts,
    };
    if (res.status !== 202) {
      log(`POST deployments: HTTP ${res.status} ${JSON.stringify(deployment)}`);
      return result;
    }
    const deadline = t0 + Number(opts['rollout-timeout']) * 1000;
    while (now() < deadline) {
      const env = await staging(name);
      const at = now() - t0;
      const r = env.replicas;
      if (
        result.liveMs === undefined &&
        env.image === image &&
        env.rolloutState === 'complete' &&
        r.ready >= r.desired &&
        r.updated === r.desired
      )
        result.liveMs = at;
      const last = env.lastDeployment;
      if (last?.id === deployment.id && last.status !== 'rolling-out') {
        result.deploymentStatus = last.status;
        if (last.status === 'succeeded' && result.succeededMs === undefined)
          result.succeededMs = at;
      }
      if (result.deploymentStatus && result.deploymentStatus !== 'succeeded')
        break;
      if (result.liveMs !== undefined && result.succeededMs !== undefined) {
        result.visibleMs = Math.max(result.liveMs, result.succeededMs);
        break;
      }
      await sleep(POLL_MS);
    }
    return result;
  }
}

async function rawDeploy(
  name: string,
  container: string,
  secret: unknown,
  image: string,
): Promise<RawDeploy> {
  const ns = `${name}-staging`;
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      secret,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns },
        spec: {
          template: { spec: { containers: [{ name: container, image }] } },
        },
      },
    ],
  };
  const input = JSON.stringify(manifest);
  const t0 = now();
  kubectl(
    [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=paved-deployments',
      // The patch names only the image, as the backend's does; kubectl's
      // client-side schema check wants a whole Deployment (the apiserver
      // validates the merged object either way).
      '--validate=false',
      '-n',
      ns,
      '-f',
      '-',
    ],
    input,
  );
  const t1 = now();
  kubectl([
    'rollout',
    'status',
    '-n',
    ns,
    `deployment/${name}`,
    `--timeout=${opts['rollout-timeout']}s`,
  ]);
  const t2 = now();
  return { image, applyMs: t1 - t0, rolloutMs: t2 - t1, totalMs: t2 - t0 };
}

// ---------------------------------------------------------------------------
// Request latency

async function timeRequests(url: string, n: number): Promise<number[]> {
  const headers = await backend.headers();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
    out.push(now() - t0);
  }
  return out;
}

async function timeCalls(n: number, fn: () => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await fn();
    out.push(now() - t0);
  }
  return out;
}

// ---------------------------------------------------------------------------

async function main() {
  const load0 = loadAverage();
  await backend.waitReady(Number(opts['ready-timeout']));
  const name = newServiceName();
  log(`Create Service ${name}`);
  const created = await backend.createService(name, {
    work: WORK,
    timeoutS: Number(opts['task-timeout']),
  });
  if (created.status !== 'completed')
    throw new Error(`Create Service ${name}: ${created.status}`);
  log(`  ${created.status} in ${(created.e2eMs / 1000).toFixed(1)} s`);
  const ns = `${name}-staging`;
  kubectl(['rollout', 'status', '-n', ns, `deployment/${name}`]);
  const container = kubectl([
    'get',
    'deployment',
    name,
    '-n',
    ns,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].name}',
  ]);
  const entity = (await (
    await fetch(
      `${backend.base}/api/catalog/entities/by-name/component/default/${name}`,
      { headers: await backend.headers() },
    )
  ).json()) as any;
  const vaultPath: string = entity.metadata.annotations['paved.dev/vault-path'];
  const secret = await secretFromVault(name, vaultPath);

  // Every deployed image really runs: the image Create Service built, under the
  // release tags 1.0.N (each deploy is a new tag, so each one rolls out).
  const built = kubectl([
    'get',
    'deployment',
    name,
    '-n',
    ns,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  ]);
  const commit = built.slice(built.lastIndexOf(':') + 1);
  for (let i = 1; i <= 2 * (DEPLOYS + 1); i++)
    await retagImage(cfg.registry.address, name, commit, `1.0.${i}`);

  const historyRows = HISTORY > 0 ? insertHistory(name) : 0;
  log(`${historyRows} history rows for component:default/${name}`);

  // 1 + 2: API and raw deploys, alternating, a warm-up of each first.
  const api: ApiDeploy[] = [];
  const raw: RawDeploy[] = [];
  let n = 0;
  const loadDeploys = loadAverage();
  for (let i = 0; i <= DEPLOYS; i++) {
    const a = await apiDeploy(name, `registry.paved.local/${name}:1.0.${++n}`);
    api.push(a);
    const r = await rawDeploy(
      name,
      container,
      secret,
      `registry.paved.local/${name}:1.0.${++n}`,
    );
    raw.push(r);
    log(
      `deploy ${i}${i ? '' : ' (warm-up)'}: API ${a.status} in ${ms(
        a.acceptMs,
      )} ms, live ${ms(a.liveMs)} ms, succeeded ${ms(a.succeededMs)} ms (${
        a.deploymentStatus
      }, ${a.conflicts} × 409); raw ${ms(r.applyMs)} + ${ms(
        r.rolloutMs,
      )} = ${ms(r.totalMs)} ms; load ${loadAverage()}`,
    );
  }
  const totalRows = Number(
    psql(
      `SELECT count(*) FROM deployments WHERE entity_ref = 'component:default/${name}'`,
    ),
  );

  // 3: read APIs.
  const loadReads = loadAverage();
  await timeRequests(envUrl(name), WARMUP);
  await timeRequests(historyUrl(name), WARMUP);
  const envTimes = await timeRequests(envUrl(name), REQUESTS);
  const historyTimes = await timeRequests(historyUrl(name), REQUESTS);
  const page = (await (
    await fetch(historyUrl(name), { headers: await backend.headers() })
  ).json()) as any;

  // Where the time goes: the backend's calls, one by one from here.
  const headers = await backend.headers();
  const depPath = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
  const live = await kube('GET', depPath);
  const currentImage = live.spec.template.spec.containers[0].image;
  const B = 30;
  const parts: [string, number[]][] = [
    [
      'catalog: GET entity by name (HTTP, guest token)',
      await timeCalls(B, async () => {
        const r = await fetch(
          `${backend.base}/api/catalog/entities/by-name/component/default/${name}`,
          { headers },
        );
        await r.arrayBuffer();
      }),
    ],
    [
      'kube-apiserver: GET Deployment',
      await timeCalls(B, () => kube('GET', depPath)),
    ],
    [
      'kube-apiserver: server-side apply, unchanged image',
      await timeCalls(B, () =>
        kube(
          'PATCH',
          `${depPath}?fieldManager=paved-deployments&force=true`,
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name, namespace: ns },
            spec: {
              template: {
                spec: {
                  containers: [{ name: container, image: currentImage }],
                },
              },
            },
          },
          'application/apply-patch+yaml',
        ),
      ),
    ],
    [
      'kube-apiserver: server-side apply of the Secret',
      await timeCalls(B, () =>
        kube(
          'PATCH',
          `/api/v1/namespaces/${ns}/secrets/${name}-secrets?fieldManager=paved&force=true`,
          { ...secret, metadata: { ...secret.metadata, namespace: ns } },
          'application/apply-patch+yaml',
        ),
      ),
    ],
    [
      'Vault: LIST + read of each secret (secretFromVault)',
      await timeCalls(B, () => secretFromVault(name, vaultPath)),
    ],
  ];
  const plan = psql(
    `EXPLAIN ANALYZE SELECT * FROM deployments WHERE entity_ref = 'component:default/${name}' AND environment = 'staging' ORDER BY seq DESC LIMIT 21`,
  );
  const load1 = loadAverage();

  fs.writeFileSync(
    path.join(WORK, 'results.json'),
    JSON.stringify(
      { name, api, raw, envTimes, historyTimes, parts, plan, totalRows },
      null,
      2,
    ),
  );

  // ---- Report
  const warmApi = api.slice(1);
  const warmRaw = raw.slice(1);
  const ok = warmApi.filter(a => a.visibleMs !== undefined);
  const accept = warmApi.map(a => a.acceptMs);
  const visible = ok.map(a => a.visibleMs!);
  const liveT = ok.map(a => a.liveMs!);
  const succeeded = ok.map(a => a.succeededMs!);
  const rawTotal = warmRaw.map(r => r.totalMs);
  const ratio = (median(visible) ?? NaN) / (median(rawTotal) ?? NaN);
  const p95 = (xs: number[]) => percentile(xs, 95);
  /** A row: the warm-up's figure, then median, p95 and range of the measured ones. */
  const row = (
    label: string,
    warmUp: number | undefined,
    xs: number[],
    goal = '',
  ) => [
    label,
    ms(warmUp),
    ms(median(xs)),
    ms(p95(xs)),
    xs.length ? `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}` : '-',
    goal,
  ];
  const rows: string[][] = [
    ['measure', 'warm-up', 'median', 'p95', 'min–max', 'goal'],
    row(
      'API: POST → 202',
      api[0]?.acceptMs,
      accept,
      `< 300: ${(p95(accept) ?? Infinity) < 300 ? 'met' : 'MISSED'} (p95)`,
    ),
    row(
      'API: POST → new image ready (environments API)',
      api[0]?.liveMs,
      liveT,
    ),
    row('API: POST → deployment succeeded', api[0]?.succeededMs, succeeded),
    row(
      '**API: POST → rollout visible (both)**',
      api[0]?.visibleMs,
      visible,
      `≤ 1.3× raw: ${ratio <= 1.3 ? 'met' : 'MISSED'} (${ratio.toFixed(2)}×)`,
    ),
    row(
      'raw: kubectl apply --server-side',
      raw[0]?.applyMs,
      warmRaw.map(r => r.applyMs),
    ),
    row(
      'raw: kubectl rollout status',
      raw[0]?.rolloutMs,
      warmRaw.map(r => r.rolloutMs),
    ),
    row('**raw: apply + rollout status**', raw[0]?.totalMs, rawTotal, 'floor'),
  ];
  const table = (rs: string[][]) => {
    const widths = rs[0].map((_, i) => Math.max(...rs.map(r => r[i].length)));
    const line = (r: string[]) =>
      `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(line(rs[0]));
    console.log(line(widths.map(w => '-'.repeat(w))));
    for (const r of rs.slice(1)) console.log(line(r));
  };
  console.log();
  console.log(
    `Deploy benchmark: service ${name}, ${DEPLOYS} API deploys and ${DEPLOYS} raw ones alternating after one warm-up of each; ms.`,
  );
  console.log(
    `API deploys: ${warmApi.filter(a => a.status === 202).length}/${
      warmApi.length
    } accepted, ${
      ok.length
    } succeeded; 409s while waiting for the previous lock: ${api.reduce(
      (s, a) => s + a.conflicts,
      0,
    )}. Environments API polled every ${POLL_MS} ms.`,
  );
  console.log();
  table(rows);
  console.log();
  console.log(
    `Read APIs, ${totalRows} deployment rows for the entity (${historyRows} inserted history + the real deploys), ${REQUESTS} requests each after ${WARMUP} warm-up:`,
  );
  console.log();
  table([
    ['request', 'p50 / p95 / p99', 'mean', 'max', 'goal'],
    [
      'GET .../environments',
      stats(envTimes),
      ms(envTimes.reduce((s, x) => s + x, 0) / envTimes.length),
      ms(Math.max(...envTimes)),
      `p95 < 100: ${(p95(envTimes) ?? Infinity) < 100 ? 'met' : 'MISSED'}`,
    ],
    [
      'GET .../deployments?limit=20',
      stats(historyTimes),
      ms(historyTimes.reduce((s, x) => s + x, 0) / historyTimes.length),
      ms(Math.max(...historyTimes)),
      `${page.items?.length} items, nextCursor ${
        page.nextCursor ? 'yes' : 'no'
      }`,
    ],
  ]);
  console.log();
  console.log(
    'Where the time goes: the calls the backend makes, timed one by one from this client (p50 / p95 / p99 ms):',
  );
  console.log();
  table([
    ['call', 'p50 / p95 / p99'],
    ...parts.map(([what, xs]) => [what, stats(xs)]),
  ]);
  console.log();
  console.log(
    'PostgreSQL plan of the history query (GET deployments?limit=20&environment=staging; the environments API runs it with limit 2 per environment):',
  );
  console.log(plan.replace(/^/gm, '    '));
  console.log();
  console.log(
    `Load (1 min): start ${load0}, deploys ${loadDeploys}, reads ${loadReads}, end ${load1}.`,
  );
  if (ok.length !== warmApi.length) process.exitCode = 1;
}

main().catch(error => {
  log(String(error?.stack ?? error));
  process.exit(1);
});
