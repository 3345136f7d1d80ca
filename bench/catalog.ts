/*
 * Catalog benchmark: 10,000 generated entities, ingestion time and API latency
 * on SQLite (in memory) and PostgreSQL.
 *
 * Run it through bench/catalog.sh, which puts Node 22 and yarn on PATH and starts
 * PostgreSQL. Directly: node bench/catalog.ts [--db sqlite,pg] [--pg-url URL]
 *   [--port 27017] [--requests 200] [--work DIR] [--ingest-timeout 2400]
 *
 * Node builtins and fetch only; Node 22 strips the types.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..');

const { values: opts } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite,pg' },
    'pg-url': { type: 'string', default: process.env.BENCH_PG_URL ?? '' },
    port: { type: 'string', default: process.env.BENCH_PORT ?? '27017' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '10' },
    work: {
      type: 'string',
      default:
        process.env.BENCH_WORK ?? path.join(os.tmpdir(), 'paved-bench-catalog'),
    },
    'ready-timeout': { type: 'string', default: '900' },
    'ingest-timeout': { type: 'string', default: '3600' },
    'processing-interval': {
      type: 'string',
      default: process.env.BENCH_PROCESSING_INTERVAL ?? '1800',
    },
    seed: { type: 'string', default: '42' },
    'generate-only': { type: 'boolean', default: false },
  },
});

const PORT = Number(opts.port);
const BASE = `http://127.0.0.1:${PORT}`;
const REQUESTS = Number(opts.requests);
const WARMUP = Number(opts.warmup);
const WORK = path.resolve(opts.work!);
const READY_TIMEOUT_S = Number(opts['ready-timeout']);
const INGEST_TIMEOUT_S = Number(opts['ingest-timeout']);
const PROCESSING_INTERVAL_S = Number(opts['processing-interval']);
const DBS = opts
  .db!.split(',')
  .map(s => s.trim())
  .filter(Boolean);

const log = (msg: string) =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`,
  );
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Catalog generation (deterministic: mulberry32 PRNG)

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(Number(opts.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const pickN = <T>(xs: readonly T[], n: number): T[] => {
  const out = new Set<T>();
  for (let i = 0; i < n * 4 && out.size < n; i++) out.add(pick(xs));
  return [...out];
};
// Skewed pick: a few owners own a lot, most own a little (like real orgs).
const pickSkewed = <T>(xs: readonly T[]): T =>
  xs[Math.floor(Math.pow(rand(), 1.6) * xs.length)];
const weighted = <T>(pairs: Array<[T, number]>): T => {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of pairs) {
    if ((r -= w) < 0) return v;
  }
  return pairs[pairs.length - 1][0];
};

const AREAS = ['commerce', 'payments', 'platform', 'data', 'logistics'];
const TEAM_WORDS = [
  'checkout',
  'cart',
  'pricing',
  'search',
  'catalog',
  'payments',
  'fraud',
  'billing',
  'ledger',
  'identity',
  'infra',
  'observability',
  'ci',
  'developer-experience',
  'security',
  'data-platform',
  'analytics',
  'ml',
  'warehouse',
  'shipping',
  'returns',
  'inventory',
  'fulfilment',
  'mobile',
];
const WORDS = [
  'order',
  'cart',
  'price',
  'promo',
  'invoice',
  'ledger',
  'refund',
  'payout',
  'card',
  'wallet',
  'stock',
  'parcel',
  'route',
  'carrier',
  'label',
  'return',
  'review',
  'rating',
  'search',
  'index',
  'profile',
  'account',
  'session',
  'token',
  'audit',
  'report',
  'metric',
  'event',
  'notify',
  'email',
  'image',
  'media',
  'feed',
  'catalog',
  'product',
  'variant',
  'bundle',
  'tax',
  'currency',
  'fraud',
  'risk',
  'quote',
  'booking',
  'slot',
  'store',
  'region',
  'config',
  'feature',
  'flag',
  'schedule',
];
const FIRST = [
  'priya',
  'marcus',
  'lena',
  'sofia',
  'kenji',
  'amara',
  'jonas',
  'mei',
  'omar',
  'elena',
  'tariq',
  'hana',
  'lucas',
  'ines',
  'dmitri',
  'chloe',
  'rafael',
  'aiko',
  'noah',
  'zara',
  'felix',
  'yara',
  'ivan',
  'maya',
];
const LAST = [
  'raman',
  'oyelaran',
  'fischer',
  'rossi',
  'tanaka',
  'okafor',
  'berg',
  'chen',
  'haddad',
  'novak',
  'aziz',
  'sato',
  'silva',
  'moreau',
  'petrov',
  'dubois',
  'garcia',
  'ito',
  'keller',
  'khan',
  'larsen',
  'mendes',
];
const TAGS = [
  'java',
  'kotlin',
  'go',
  'python',
  'typescript',
  'rust',
  'rest',
  'grpc',
  'graphql',
  'kafka',
  'pci',
  'gdpr',
  'customer-facing',
  'internal',
  'batch',
  'critical',
  'postgresql',
  'redis',
  'react',
  'spring',
];

type Entity = Record<string, any>;

export type GeneratedCatalog = {
  dir: string;
  rootFile: string;
  total: number;
  counts: Record<string, number>;
  ownerGroups: string[]; // for the owner filter
  words: string[]; // for the full-text filter
};

function entity(kind: string, metadata: Entity, spec: Entity): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata, spec };
}

/** Block-style YAML for plain data (strings, numbers, booleans, arrays, objects). */
function toYaml(value: any, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return (
      '\n' +
      value
        .map(
          v =>
            `${indent}- ${
              typeof v === 'object'
                ? toYaml(v, indent + '  ').trimStart()
                : scalar(v) + '\n'
            }`,
        )
        .join('')
    );
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter(k => value[k] !== undefined);
    return keys
      .map(k => {
        const v = value[k];
        if (v && typeof v === 'object') {
          if (Array.isArray(v))
            return `${indent}${k}:${toYaml(v, indent + '  ')}`;
          return `${indent}${k}:\n${toYaml(v, indent + '  ')}`;
        }
        if (typeof v === 'string' && v.includes('\n')) {
          return `${indent}${k}: |\n${v
            .replace(/\n$/, '')
            .split('\n')
            .map(l => `${indent}  ${l}`)
            .join('\n')}\n`;
        }
        return `${indent}${k}: ${scalar(v)}\n`;
      })
      .join('');
  }
  return scalar(value) + '\n';
}
function scalar(v: any): string {
  if (typeof v === 'string')
    return /^[a-z0-9][a-z0-9 ._/-]*$/i.test(v) &&
      !/^(true|false|null|yes|no|on|off|\d.*)$/i.test(v) &&
      !v.includes(': ')
      ? v
      : JSON.stringify(v);
  return String(v);
}
function writeDocs(file: string, docs: Entity[]) {
  fs.writeFileSync(file, docs.map(d => `---\n${toYaml(d)}`).join(''));
}

export function generateCatalog(dir: string): GeneratedCatalog {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const counts: Record<string, number> = {};
  const files: Record<string, Entity[]> = {};
  const add = (file: string, e: Entity) => {
    (files[file] ??= []).push(e);
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  };

  // 5 domains
  for (const a of AREAS) {
    add(
      'org.yaml',
      entity(
        'Domain',
        {
          name: a,
          title: a[0].toUpperCase() + a.slice(1),
          description: `The ${a} business domain.`,
        },
        { owner: `group:${a}-department` },
      ),
    );
  }
  // 30 groups: 1 root, 5 departments, 24 teams
  add(
    'org.yaml',
    entity(
      'Group',
      {
        name: 'engineering',
        title: 'Engineering',
        description: 'Acme Outfitters engineering.',
      },
      {
        type: 'organization',
        profile: {
          displayName: 'Engineering',
          email: 'engineering@acme.example',
        },
        children: AREAS.map(a => `${a}-department`),
      },
    ),
  );
  const teams = TEAM_WORDS.map(w => `${w}-team`);
  const teamsOf: Record<string, string[]> = {};
  teams.forEach((t, i) => (teamsOf[AREAS[i % AREAS.length]] ??= []).push(t));
  for (const a of AREAS) {
    add(
      'org.yaml',
      entity(
        'Group',
        { name: `${a}-department`, title: `${a} department` },
        {
          type: 'department',
          parent: 'engineering',
          children: teamsOf[a],
          profile: { displayName: `${a} department` },
        },
      ),
    );
  }
  teams.forEach((t, i) => {
    add(
      'org.yaml',
      entity(
        'Group',
        {
          name: t,
          title: t.replace(/-/g, ' '),
          description: `Owns the ${TEAM_WORDS[i]} services.`,
          links: [
            {
              url: `https://chat.acme.example/channels/${TEAM_WORDS[i]}`,
              title: `#${TEAM_WORDS[i]}`,
              icon: 'chat',
            },
          ],
        },
        {
          type: 'team',
          parent: `${AREAS[i % AREAS.length]}-department`,
          children: [],
          profile: { displayName: t, email: `${t}@acme.example` },
        },
      ),
    );
  });
  // 300 users
  const users = new Set<string>();
  while (users.size < 300) {
    const f = pick(FIRST),
      l = pick(LAST);
    let n = `${f}-${l}`;
    for (let k = 2; users.has(n); k++) n = `${f}-${l}-${k}`;
    users.add(n);
    add(
      'org.yaml',
      entity(
        'User',
        { name: n },
        {
          profile: {
            displayName: n
              .split('-')
              .map(s => s[0].toUpperCase() + s.slice(1))
              .join(' '),
            email: `${n}@acme.example`,
          },
          memberOf: [pick(teams)],
        },
      ),
    );
  }
  // 50 systems
  const systems: string[] = [];
  const systemOwner: Record<string, string> = {};
  while (systems.length < 50) {
    const n = `${pick(WORDS)}-${pick([
      'platform',
      'engine',
      'hub',
      'suite',
      'core',
    ])}`;
    if (systems.includes(n)) continue;
    systems.push(n);
    const owner = pickSkewed(teams);
    systemOwner[n] = owner;
    add(
      'systems.yaml',
      entity(
        'System',
        {
          name: n,
          description: `Everything around ${n.replace('-', ' ')}.`,
          tags: pickN(TAGS, 1),
        },
        {
          owner,
          domain: pick(AREAS),
        },
      ),
    );
  }
  const used = new Set<string>();
  const uniq = (base: string) => {
    let n = base;
    for (let k = 2; used.has(n); k++) n = `${base}-${k}`;
    used.add(n);
    return n;
  };
  // 2,000 resources
  const resources: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const type = weighted<string>([
      ['database', 5],
      ['queue', 3],
      ['bucket', 2],
      ['cache', 2],
    ]);
    const n = uniq(
      `${pick(WORDS)}-${pick(WORDS)}-${
        { database: 'db', queue: 'queue', bucket: 'bucket', cache: 'cache' }[
          type
        ]
      }`,
    );
    resources.push(n);
    const sys = pick(systems);
    add(
      'resources.yaml',
      entity(
        'Resource',
        { name: n, description: `${type} for ${n}.`, tags: pickN(TAGS, 1) },
        {
          type,
          owner: systemOwner[sys],
          system: sys,
        },
      ),
    );
  }
  // 1,500 APIs
  const apis: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const type = weighted<string>([
      ['openapi', 6],
      ['grpc', 2],
      ['asyncapi', 2],
      ['graphql', 1],
    ]);
    const n = uniq(`${pick(WORDS)}-${pick(WORDS)}-api`);
    apis.push(n);
    const sys = pick(systems);
    add(
      'apis.yaml',
      entity(
        'API',
        {
          name: n,
          description: `The ${n.replace(/-/g, ' ')}.`,
          tags: pickN(TAGS, 2),
        },
        {
          type,
          lifecycle: weighted<string>([
            ['production', 7],
            ['experimental', 2],
            ['deprecated', 1],
          ]),
          owner: systemOwner[sys],
          system: sys,
          definition:
            type === 'openapi'
              ? `openapi: 3.0.3\ninfo:\n  title: ${n}\n  version: 1.${
                  i % 10
                }.0\npaths:\n  /${
                  n.split('-')[0]
                }s:\n    get:\n      summary: List ${
                  n.split('-')[0]
                }s\n      responses:\n        '200':\n          description: OK\n`
              : `# ${type} definition of ${n}\n`,
        },
      ),
    );
  }
  // 6,114 components (so that the catalog holds exactly 10,000 entities with the root Location)
  const COMPONENTS =
    10000 - 1 - Object.values(counts).reduce((s, n) => s + n, 0);
  const components: string[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    const type = weighted<string>([
      ['service', 60],
      ['website', 15],
      ['library', 25],
    ]);
    const suffix = pick(
      {
        service: ['service', 'worker', 'gateway'],
        website: ['web', 'ui', 'portal'],
        library: ['lib', 'sdk', 'client'],
      }[type]!,
    );
    const n = uniq(`${pick(WORDS)}-${pick(WORDS)}-${suffix}`);
    const sys = pick(systems);
    const owner = rand() < 0.8 ? systemOwner[sys] : pickSkewed(teams);
    const deps: string[] = [];
    const nDeps = Math.floor(rand() * 5);
    for (let d = 0; d < nDeps; d++) {
      if (rand() < 0.5 && components.length > 0)
        deps.push(`component:${pick(components)}`);
      else deps.push(`resource:${pick(resources)}`);
    }
    components.push(n);
    add(
      `components-${(i % 3) + 1}.yaml`,
      entity(
        'Component',
        {
          name: n,
          title: n
            .split('-')
            .map(s => s[0].toUpperCase() + s.slice(1))
            .join(' '),
          description: `${
            type === 'library'
              ? 'Library'
              : type === 'website'
              ? 'Web app'
              : 'Service'
          } handling ${n
            .split('-')
            .slice(0, 2)
            .join(' ')} for the ${sys} system.`,
          tags: pickN(TAGS, 1 + Math.floor(rand() * 3)),
          links: [
            {
              url: `https://grafana.acme.example/d/${n}`,
              title: 'Dashboard',
              icon: 'dashboard',
            },
          ],
          annotations: { 'github.com/project-slug': `acme/${n}` },
        },
        {
          type,
          lifecycle: weighted<string>([
            ['production', 70],
            ['experimental', 20],
            ['deprecated', 10],
          ]),
          owner,
          system: sys,
          ...(type === 'service' && rand() < 0.4
            ? { providesApis: pickN(apis, 1 + Math.floor(rand() * 2)) }
            : {}),
          ...(rand() < 0.3
            ? { consumesApis: pickN(apis, 1 + Math.floor(rand() * 3)) }
            : {}),
          dependsOn: deps,
        },
      ),
    );
  }

  const fileNames = Object.keys(files);
  for (const f of fileNames) writeDocs(path.join(dir, f), files[f]);
  const rootFile = path.join(dir, 'all.yaml');
  writeDocs(rootFile, [
    entity(
      'Location',
      {
        name: 'bench-catalog',
        description: 'Generated 10,000-entity benchmark catalog.',
      },
      {
        targets: fileNames.map(f => `./${f}`),
      },
    ),
  ]);
  counts.Location = 1;
  const total = Object.values(counts).reduce((s, n) => s + n, 0);

  // Owners for the owner filter: the 5 teams owning the most components (rotated).
  const ownedCount: Record<string, number> = {};
  for (const e of Object.values(files).flat())
    if (e.kind === 'Component')
      ownedCount[e.spec.owner] = (ownedCount[e.spec.owner] ?? 0) + 1;
  const byOwned = Object.entries(ownedCount)
    .sort((x, y) => y[1] - x[1])
    .map(([t]) => t);
  return {
    dir,
    rootFile,
    total,
    counts,
    ownerGroups: [byOwned[2], byOwned[5], byOwned[8], byOwned[11], byOwned[14]],
    words: ['ledger', 'parcel', 'wallet', 'promo', 'carrier'],
  };
}

// ---------------------------------------------------------------------------
// Backend process

type Backend = { child: ChildProcess; logFile: string; startedAt: number };
let current: Backend | undefined;

function killGroup(b: Backend | undefined, signal: NodeJS.Signals) {
  if (!b?.child.pid) return;
  try {
    process.kill(-b.child.pid, signal);
  } catch {
    /* already gone */
  }
}
function groupAlive(pid: number) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function stopBackend(b: Backend | undefined) {
  if (!b?.child.pid) return;
  killGroup(b, 'SIGTERM');
  for (let i = 0; i < 60 && groupAlive(b.child.pid); i++) await sleep(250);
  if (groupAlive(b.child.pid)) killGroup(b, 'SIGKILL');
  fs.rmSync(path.join(WORK, 'backend.pgid'), { force: true });
  if (current === b) current = undefined;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping the backend`);
    killGroup(current, 'SIGTERM');
    setTimeout(() => {
      killGroup(current, 'SIGKILL');
      process.exit(130);
    }, 3000).unref();
  });
}
process.on('exit', () => killGroup(current, 'SIGKILL'));

function writeOverlay(
  name: string,
  cat: GeneratedCatalog,
  database: Entity,
): string {
  const overlay = {
    app: { baseUrl: `http://localhost:${PORT + 1}` },
    backend: {
      baseUrl: `http://localhost:${PORT}`,
      listen: { port: PORT },
      cors: { origin: `http://localhost:${PORT + 1}` },
      database,
    },
    paved: {
      gitRemote: { baseUrl: `http://localhost:${PORT + 2}` },
      techdocsPrebuild: { enabled: false },
    },
    catalog: {
      rules: [
        {
          allow: [
            'Component',
            'System',
            'API',
            'Resource',
            'Location',
            'Domain',
            'Group',
            'User',
            'Template',
          ],
        },
      ],
      locations: [{ type: 'file', target: cat.rootFile }],
      processingInterval: { seconds: PROCESSING_INTERVAL_S },
    },
    search: {
      collators: {
        techdocs: {
          schedule: {
            frequency: { hours: 12 },
            timeout: { minutes: 5 },
            initialDelay: { hours: 6 },
          },
        },
        catalog: {
          schedule: {
            frequency: { hours: 12 },
            timeout: { minutes: 5 },
            initialDelay: { hours: 6 },
          },
        },
      },
    },
  };
  const file = path.join(WORK, `overlay-${name}.yaml`);
  fs.writeFileSync(file, `# Written by bench/catalog.ts\n${toYaml(overlay)}`);
  return file;
}

/*
 * The backend as `yarn workspace backend start` (backstage-cli package start) runs it: the
 * same node flags, TypeScript loader, working directory and environment, but without the
 * CLI's file watcher, which restarts the backend (losing an in-memory catalog) whenever
 * anyone edits a source file of the repo while the benchmark runs.
 */
async function startBackend(name: string, overlay: string): Promise<Backend> {
  const logFile = path.join(WORK, `backend-${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const backendDir = path.join(ROOT, 'packages/backend');
  const nodeTransform = createRequire(
    path.join(backendDir, 'package.json'),
  ).resolve('@backstage/cli-node/config/nodeTransform.cjs');
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      nodeTransform,
      'src/index',
      '--config',
      '../../app-config.yaml',
      '--config',
      overlay,
    ],
    {
      cwd: backendDir,
      detached: true, // own process group, so that stopping it stops everything it started
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        NODE_ENV: process.env.NODE_ENV ?? 'development',
        ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
        FORCE_COLOR: '0',
      },
    },
  );
  fs.closeSync(fd);
  const b: Backend = { child, logFile, startedAt: performance.now() };
  current = b;
  fs.writeFileSync(path.join(WORK, 'backend.pgid'), String(child.pid));
  return b;
}

function tail(file: string, n = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function waitReady(b: Backend): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_S * 1000;
  while (Date.now() < deadline) {
    if (b.child.exitCode !== null)
      throw new Error(
        `backend exited (${b.child.exitCode}) before it was ready:\n${tail(
          b.logFile,
        )}`,
      );
    try {
      const res = await fetch(`${BASE}/.backstage/health/v1/readiness`, {
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 200) return performance.now();
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(
    `backend not ready within ${READY_TIMEOUT_S} s; see ${b.logFile}:\n${tail(
      b.logFile,
    )}`,
  );
}

async function guestToken(): Promise<string> {
  for (let i = 0; i < 60; i++) {
    try {
      const res = await fetch(`${BASE}/api/auth/guest/refresh`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
        signal: AbortSignal.timeout(10000),
      });
      if (res.ok) {
        const body: any = await res.json();
        const token = body?.backstageIdentity?.token;
        if (token) return token;
      }
    } catch {
      /* retry */
    }
    await sleep(1000);
  }
  throw new Error('could not get a guest token from /api/auth/guest/refresh');
}

async function query(
  token: string,
  qs: string,
): Promise<{ ms: number; status: number; totalItems: number; items: number }> {
  const t0 = performance.now();
  const res = await fetch(`${BASE}/api/catalog/entities/by-query?${qs}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let totalItems = -1,
    items = -1;
  if (res.ok) {
    const body = JSON.parse(text);
    totalItems = body.totalItems;
    items = body.items?.length ?? -1;
  }
  return { ms, status: res.status, totalItems, items };
}

// ---------------------------------------------------------------------------
// Measurements

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

type Latency = {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  n: number;
  errors: number;
  matched: string;
};
type RunResult = {
  db: string;
  startMs?: number;
  ingestMs?: number;
  milestones: Record<string, number>;
  finalCount?: number;
  expected: number;
  latencies: Record<string, Latency>;
  rssMb?: number;
  error?: string;
  load: string[];
};

const loadavg1 = () => os.loadavg()[0].toFixed(1);
const loadavg = () =>
  os
    .loadavg()
    .map(n => n.toFixed(1))
    .join(' ');

function backendRssMb(pgid: number): number | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)], {
      encoding: 'utf8',
    });
    return Math.round(
      out
        .split('\n')
        .map(Number)
        .filter(n => n > 0)
        .reduce((s, n) => s + n, 0) / 1024,
    );
  } catch {
    return undefined;
  }
}

export function queries(cat: GeneratedCatalog): Array<{
  key: string;
  short: string;
  label: string;
  qs: (i: number) => string;
}> {
  const textFields =
    'metadata.name,metadata.title,spec.profile.displayName,spec.target,spec.targets';
  return [
    {
      key: 'a',
      short: '(a) list page',
      label: '(a) list page: limit=20, orderField=metadata.name,asc',
      qs: () => 'limit=20&orderField=metadata.name,asc',
    },
    {
      key: 'b',
      short: '(b) kind+spec.type filter',
      label: '(b) filter kind=component,spec.type=service, limit=20',
      qs: () => 'filter=kind=component,spec.type=service&limit=20',
    },
    {
      key: 'c',
      short: '(c) owner filter',
      label:
        '(c) filter kind=component,relations.ownedBy=group:default/<team>, limit=20',
      qs: i =>
        `filter=kind=component,relations.ownedBy=group:default/${
          cat.ownerGroups[i % cat.ownerGroups.length]
        }&limit=20`,
    },
    {
      key: 'd',
      short: '(d) full-text filter',
      label: '(d) fullTextFilterTerm=<word> (UI fields), limit=20',
      qs: i =>
        `fullTextFilterTerm=${
          cat.words[i % cat.words.length]
        }&fullTextFilterFields=${textFields}&limit=20`,
    },
  ];
}

async function runOne(db: string, cat: GeneratedCatalog): Promise<RunResult> {
  const expected = cat.total + 1; // + the Location entity the catalog generates for the configured location
  const result: RunResult = {
    db,
    milestones: {},
    expected,
    latencies: {},
    load: [],
  };
  let database: Entity;
  if (db === 'sqlite')
    database = { client: 'better-sqlite3', connection: ':memory:' };
  else if (db === 'pg') {
    if (!opts['pg-url'])
      throw new Error('--pg-url (or BENCH_PG_URL) is required for --db pg');
    database = { client: 'pg', connection: opts['pg-url'] };
  } else throw new Error(`unknown --db ${db}`);

  const overlay = writeOverlay(db, cat, database);
  log(
    `${db}: starting the backend on :${PORT} (log: ${path.join(
      WORK,
      `backend-${db}.log`,
    )}); load ${loadavg()}`,
  );
  result.load.push(loadavg1());
  const b = await startBackend(db, overlay);
  try {
    const readyAt = await waitReady(b);
    result.startMs = readyAt - b.startedAt;
    log(
      `${db}: ready after ${(result.startMs / 1000).toFixed(
        1,
      )} s; waiting for ${expected} entities`,
    );
    const token = await guestToken();

    // Ingestion: poll totalItems once a second.
    const deadline = Date.now() + INGEST_TIMEOUT_S * 1000;
    const marks = [0.25, 0.5, 0.75];
    let count = 0;
    let lastLog = 0;
    while (Date.now() < deadline) {
      if (b.child.exitCode !== null)
        throw new Error(
          `backend exited (${b.child.exitCode}):\n${tail(b.logFile)}`,
        );
      try {
        const r = await query(token, 'limit=1');
        if (r.status === 200) count = r.totalItems;
      } catch {
        /* slow answer under load: keep polling */
      }
      const now = performance.now();
      for (const m of marks) {
        const key = `${m * 100}%`;
        if (count >= m * expected && result.milestones[key] === undefined)
          result.milestones[key] = now - readyAt;
      }
      if (count >= expected) {
        result.ingestMs = now - readyAt;
        break;
      }
      if (now - lastLog > 15000) {
        log(
          `${db}: ${count}/${expected} entities visible after ${(
            (now - readyAt) /
            1000
          ).toFixed(0)} s; load ${loadavg()}`,
        );
        lastLog = now;
      }
      await sleep(1000);
    }
    result.finalCount = count;
    if (result.ingestMs === undefined)
      throw new Error(
        `only ${count}/${expected} entities visible after ${INGEST_TIMEOUT_S} s`,
      );
    log(
      `${db}: all ${count} entities visible ${(result.ingestMs / 1000).toFixed(
        1,
      )} s after ready; load ${loadavg()}`,
    );
    result.load.push(loadavg1());
    result.rssMb = backendRssMb(b.child.pid!);

    // Let the last stitching settle before measuring latency.
    await sleep(10000);
    for (const q of queries(cat)) {
      for (let i = 0; i < WARMUP; i++) await query(token, q.qs(i));
      const times: number[] = [];
      let errors = 0;
      const matched = new Set<number>();
      for (let i = 0; i < REQUESTS; i++) {
        try {
          const r = await query(token, q.qs(i));
          if (r.status !== 200 || r.items < 0) errors++;
          else {
            times.push(r.ms);
            matched.add(r.totalItems);
          }
        } catch {
          errors++;
        }
      }
      times.sort((x, y) => x - y);
      const m = [...matched].sort((x, y) => x - y);
      result.latencies[q.key] = {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        mean: times.reduce((s, t) => s + t, 0) / Math.max(1, times.length),
        n: times.length,
        errors,
        matched: m.length === 1 ? String(m[0]) : `${m[0]}–${m[m.length - 1]}`,
      };
      log(
        `${db}: ${q.label}: p50 ${result.latencies[q.key].p50.toFixed(
          1,
        )} ms, p95 ${result.latencies[q.key].p95.toFixed(1)} ms`,
      );
    }
    result.load.push(loadavg1());
  } catch (e: any) {
    result.error = e?.message ?? String(e);
    log(`${db}: FAILED: ${result.error}`);
  } finally {
    await stopBackend(b);
  }
  return result;
}

function fmtS(ms?: number) {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}
function fmtMs(n?: number) {
  return n === undefined || Number.isNaN(n)
    ? 'n/a'
    : n < 10
    ? n.toFixed(1)
    : n.toFixed(0);
}

function printTable(cat: GeneratedCatalog, results: RunResult[]) {
  const names: Record<string, string> = {
    sqlite: 'SQLite (:memory:)',
    pg: 'PostgreSQL 15',
  };
  const out: string[] = [];
  out.push('');
  out.push(
    `Catalog benchmark: ${cat.total} generated entities (${Object.entries(
      cat.counts,
    )
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')})`,
  );
  out.push(
    `Backend: dev mode (node + Backstage TS loader, as yarn workspace backend start, minus the watcher), port ${PORT}; processingInterval ${PROCESSING_INTERVAL_S} s; search collators and TechDocs prebuild deferred.`,
  );
  out.push(
    `Latency: ${REQUESTS} sequential requests per query after ${WARMUP} warm-up requests, guest token, timings in ms (client side, loopback).`,
  );
  out.push('');
  const head = ['', ...results.map(r => names[r.db] ?? r.db)];
  const rows: string[][] = [];
  rows.push(['backend start → ready', ...results.map(r => fmtS(r.startMs))]);
  for (const m of ['25%', '50%', '75%'])
    rows.push([
      `ready → ${m} of entities visible`,
      ...results.map(r => fmtS(r.milestones[m])),
    ]);
  rows.push([
    `ready → all ${cat.total + 1} visible`,
    ...results.map(r =>
      r.ingestMs !== undefined
        ? fmtS(r.ingestMs)
        : `not reached (${r.finalCount ?? 0})`,
    ),
  ]);
  rows.push([
    'backend RSS after ingestion',
    ...results.map(r => (r.rssMb ? `${r.rssMb} MB` : 'n/a')),
  ]);
  for (const q of queries(cat)) {
    rows.push([
      `${q.short}: p50 / p95 / p99 ms`,
      ...results.map(r => {
        const l = r.latencies[q.key];
        return l
          ? `${fmtMs(l.p50)} / ${fmtMs(l.p95)} / ${fmtMs(l.p99)}`
          : 'n/a';
      }),
    ]);
  }
  for (const q of queries(cat)) {
    rows.push([
      `${q.short}: totalItems, errors`,
      ...results.map(r => {
        const l = r.latencies[q.key];
        return l ? `${l.matched}, ${l.errors} err` : 'n/a';
      }),
    ]);
  }
  rows.push([
    'load avg (1 min): start / ingested / end',
    ...results.map(r => r.load.join(' / ')),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  out.push(line(head));
  out.push(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) out.push(line(r));
  out.push('');
  out.push('Queries (GET /api/catalog/entities/by-query?...):');
  for (const q of queries(cat)) out.push(`  ${q.short}: ${q.qs(0)}`);
  out.push(
    `  owners rotated over: ${cat.ownerGroups.join(
      ', ',
    )}; words rotated over: ${cat.words.join(', ')}`,
  );
  for (const r of results)
    if (r.error)
      out.push(`${names[r.db] ?? r.db}: FAILED: ${r.error.split('\n')[0]}`);
  process.stdout.write(out.join('\n') + '\n');
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  try {
    const res = await fetch(`${BASE}/.backstage/health/v1/readiness`, {
      signal: AbortSignal.timeout(2000),
    });
    throw new Error(
      `port ${PORT} is already in use (HTTP ${res.status}); pick another with --port`,
    );
  } catch (e: any) {
    if (String(e?.message).includes('already in use')) throw e;
  }
  const t0 = performance.now();
  const cat = generateCatalog(path.join(WORK, 'catalog'));
  const size = fs
    .readdirSync(cat.dir)
    .reduce((s, f) => s + fs.statSync(path.join(cat.dir, f)).size, 0);
  log(
    `generated ${cat.total} entities in ${cat.dir} (${(size / 1e6).toFixed(
      1,
    )} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s): ${JSON.stringify(
      cat.counts,
    )}`,
  );
  if (opts['generate-only']) {
    process.stdout.write(`${cat.rootFile}\n`);
    return;
  }
  const results: RunResult[] = [];
  for (const db of DBS) results.push(await runOne(db, cat));
  fs.writeFileSync(
    path.join(WORK, 'results.json'),
    JSON.stringify(
      { date: new Date().toISOString(), counts: cat.counts, results },
      null,
      2,
    ),
  );
  printTable(cat, results);
  if (results.some(r => r.error)) process.exitCode = 1;
}

main().catch(e => {
  log(`FAILED: ${e?.stack ?? e}`);
  killGroup(current, 'SIGKILL');
  process.exit(1);
});
