/*
 * "Create Service" benchmark: runs the template through the scaffolder HTTP API
 * (as the browser does) N times, then does the same work by hand with the raw
 * tools (git, tofu, curl, kubectl) as the floor, and prints a table.
 *
 * Run it through bench/create-service.sh, which brings up the platform on a
 * private run dir and ports and starts the backend. Directly:
 *   node bench/create-service.ts --backend http://localhost:27007 \
 *     --platform-config $PAVED_RUN/app-config.platform.yaml --git http://127.0.0.1:38932 [--runs 3]
 *
 * Node builtins, fetch and the repo's `yaml`; Node 22 strips the types.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import {
  Backend,
  log,
  median,
  newServiceName as newName,
  now,
  sec,
  sh,
  stepTimings,
  templateValues as values,
} from './lib/backend.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const YAML = createRequire(path.join(ROOT, 'package.json'))('yaml');

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'http://localhost:27007' },
    'platform-config': { type: 'string' },
    git: { type: 'string' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    work: {
      type: 'string',
      default:
        process.env.BENCH_WORK ?? path.join(os.tmpdir(), 'paved-bench-create'),
    },
    'ready-timeout': { type: 'string', default: '600' },
    'task-timeout': { type: 'string', default: '600' },
    'skip-raw': { type: 'boolean', default: false },
  },
});

const backend = new Backend(opts.backend!);
const RUNS = Number(opts.runs);
const WORK = path.resolve(opts.work!);
fs.mkdirSync(WORK, { recursive: true });

// ---------------------------------------------------------------------------
// Scaffolder runs

type StepTiming = { id: string; ms?: number; status: string };
type RunResult = {
  name: string;
  status: string;
  e2eMs: number;
  steps: StepTiming[];
};

const STEPS = [
  'check-name',
  'check-owner',
  'environments',
  'fetch-base',
  'fetch-language',
  'publish',
  'build',
  'namespaces',
  'database',
  'credentials',
  'workload-staging',
  'register',
  'await-entity',
  'deploy-staging',
];

async function runTemplate(): Promise<RunResult> {
  const run = await backend.createService(newName(), {
    work: WORK,
    timeoutS: Number(opts['task-timeout']),
  });
  const { name, status, e2eMs } = run;
  const timings = stepTimings(run);
  return {
    name,
    status,
    e2eMs,
    steps: STEPS.map(id => ({ id, ...(timings[id] ?? { status: '-' }) })),
  };
}

// ---------------------------------------------------------------------------
// The floor: the same work by hand with the raw tools

/** Just enough of the template language for the skeleton (values, if/elif/else, one for). */
function render(text: string, v: Record<string, any>): string {
  const get = (expr: string, scope: Record<string, any>) => {
    const e = expr.trim();
    const [ref, ...filters] = e.split('|').map(s => s.trim());
    let val: any = ref
      .split('.')
      .reduce(
        (o: any, k) => (o == null ? undefined : o[k]),
        ref.startsWith('values.') ? { values: v } : scope,
      );
    for (const f of filters) if (f === 'dump') val = JSON.stringify(val);
    return val;
  };
  const cond = (c: string) => {
    const m = c.match(/^\s*([\w.]+)\s*==\s*'([^']*)'\s*$/);
    return m ? get(m[1], {}) === m[2] : Boolean(get(c, {}));
  };
  let out = text.replace(
    /\{%-?\s*for (\w+), (\w+) in ([\w.]+)\s*-?%\}([\s\S]*?)\{%-?\s*endfor\s*-?%\}/g,
    (_all, k, val, src, body) =>
      Object.entries(get(src, {}) ?? {})
        .map(([kk, vv]) =>
          body.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (m: string, e: string) =>
            e === k ? kk : e === val ? String(vv) : m,
          ),
        )
        .join(''),
  );
  // innermost if blocks first
  const IF =
    /\{%-?\s*if ([^%]+?)\s*-?%\}((?:(?!\{%-?\s*if )[\s\S])*?)\{%-?\s*endif\s*-?%\}/;
  for (let m = out.match(IF); m; m = out.match(IF)) {
    const parts = m[2].split(/\{%-?\s*(elif [^%]+?|else)\s*-?%\}/);
    let chosen = '';
    if (cond(m[1])) chosen = parts[0];
    else
      for (let i = 1; i < parts.length; i += 2) {
        const head = parts[i];
        if (head === 'else' || cond(head.slice(5))) {
          chosen = parts[i + 1];
          break;
        }
      }
    out = out.replace(m[0], chosen);
  }
  return out.replace(/\$\{\{\s*(values\.[^}]+?)\s*\}\}/g, (_m, e) =>
    String(get(e, {}) ?? ''),
  );
}

function renderTree(src: string, dest: string, v: Record<string, any>) {
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, entry.name);
    const d = path.join(dest, render(entry.name, v));
    if (entry.isDirectory()) {
      fs.mkdirSync(d, { recursive: true });
      renderTree(s, d, v);
    } else if (s.includes(`${path.sep}.github${path.sep}workflows`)) {
      fs.copyFileSync(s, d);
    } else {
      fs.writeFileSync(d, render(fs.readFileSync(s, 'utf8'), v));
    }
  }
}

async function timed<T>(fn: () => T | Promise<T>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

/**
 * `image`: what the floor deploys, an image a template run built (the floor
 * has no build step of its own: the raw equivalent of `build` is the builder).
 */
async function rawFloor(
  out: Record<string, number>,
  image: string,
): Promise<void> {
  const cfg = YAML.parse(fs.readFileSync(opts['platform-config']!, 'utf8'))
    .paved.platform;
  const gitBase = opts.git!.replace(/\/+$/, '');
  const name = newName();
  const dir = fs.mkdtempSync(path.join(WORK, 'raw-'));
  const namespaces = {
    staging: `${name}-staging`,
    production: `${name}-production`,
  };
  const v = {
    ...values(name),
    system: undefined,
    namespaces,
    vaultPath: `services/${name}`,
    // The manifests' `image:` is the repository; the floor puts a built image there.
    imageRepository: image,
  };
  log(`raw floor for ${name} in ${dir}`);

  // fetch-base + fetch-language: render the skeleton
  const repo = path.join(dir, 'repo');
  fs.mkdirSync(repo);
  out['fetch-base'] = await timed(() => {
    renderTree(path.join(ROOT, 'templates/create-service/skeleton'), repo, v);
    renderTree(
      path.join(ROOT, 'templates/create-service/languages/typescript'),
      repo,
      v,
    );
  });

  // publish: POST /api/repos + git init/add/commit/push
  out.publish = await timed(async () => {
    const r = await fetch(`${gitBase}/api/repos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        owner: 'paved',
        name,
        description: 'Benchmark service run',
      }),
    });
    if (!r.ok) throw new Error(`POST /api/repos: HTTP ${r.status}`);
    const created = (await r.json()) as any;
    const cloneUrl: string = created.cloneUrl ?? `${gitBase}/paved/${name}.git`;
    const git = (...a: string[]) =>
      sh(
        'git',
        ['-c', 'user.name=bench', '-c', 'user.email=bench@paved.local', ...a],
        { cwd: repo },
      );
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'Initial commit');
    git('push', '-q', cloneUrl, 'main');
  });

  // namespaces + database: tofu init, workspace new, apply
  const pg = new URL(cfg.postgres.url);
  const tofuEnv = (schema: string): NodeJS.ProcessEnv => ({
    ...process.env,
    TF_CLI_CONFIG_FILE: cfg.tofu.cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    PG_CONN_STR: cfg.tofu.stateConnection,
    PG_SCHEMA_NAME: schema,
    KUBE_CONFIG_PATH: cfg.kubeconfig,
    VAULT_ADDR: cfg.vault.address,
    VAULT_TOKEN: cfg.vault.token,
    PGHOST: pg.hostname,
    PGPORT: pg.port || '5432',
    PGSSLMODE: pg.searchParams.get('sslmode') ?? 'disable',
    ...(pg.username ? { PGUSER: decodeURIComponent(pg.username) } : {}),
    ...(pg.password ? { PGPASSWORD: decodeURIComponent(pg.password) } : {}),
  });
  const modules: Record<string, [string, Record<string, unknown>]> = {
    namespaces: [
      'service-namespace',
      {
        service: name,
        owner: v.owner,
        tier: v.tier,
        namespaces,
      },
    ],
    database: [
      'postgres-database',
      {
        service: name,
        database_name: name.replace(/-/g, '_'),
        vault_path: `services/${name}/database`,
        host: pg.hostname,
        port: Number(pg.port || 5432),
      },
    ],
  };
  for (const [step, [module, variables]] of Object.entries(modules)) {
    // The whole modules directory: postgres-database uses ../vault-secret.
    const mdir = path.join(dir, 'modules', module);
    if (!fs.existsSync(path.join(dir, 'modules')))
      fs.cpSync(
        path.join(ROOT, 'templates/modules'),
        path.join(dir, 'modules'),
        {
          recursive: true,
        },
      );
    fs.writeFileSync(
      path.join(mdir, 'terraform.tfvars.json'),
      JSON.stringify(variables),
    );
    fs.writeFileSync(
      path.join(mdir, 'paved_backend_override.tf'),
      'terraform {\n  backend "pg" {}\n}\n',
    );
    const env = tofuEnv(`tofu_${module.replace(/-/g, '_')}`);
    out[step] = await timed(() => {
      sh(cfg.tofu.binary, ['init', '-no-color', '-input=false'], {
        cwd: mdir,
        env,
      });
      sh(cfg.tofu.binary, ['workspace', 'new', '-no-color', name], {
        cwd: mdir,
        env,
      });
      sh(cfg.tofu.binary, ['apply', '-no-color', '-auto-approve'], {
        cwd: mdir,
        env,
      });
    });
  }

  // credentials: curl to Vault (KV v2 secret + read policy)
  const secret = randomBytes(36).toString('base64url');
  out.credentials = await timed(() => {
    const curl = (method: string, url: string, body: unknown) =>
      sh('curl', [
        '-sSf',
        '-X',
        method,
        '-H',
        `X-Vault-Token: ${cfg.vault.token}`,
        '-H',
        'content-type: application/json',
        '--data-binary',
        JSON.stringify(body),
        `${cfg.vault.address}/v1/${url}`,
      ]);
    curl('POST', `secret/data/services/${name}/app`, {
      data: { SESSION_SECRET: secret },
    });
    curl('PUT', `sys/policies/acl/${name}-read`, {
      policy: `path "secret/data/services/${name}/*" { capabilities = ["read"] }\npath "secret/data/services/${name}" { capabilities = ["read"] }\n`,
    });
  });

  // deploy-staging: Secret from Vault values, kubectl apply, rollout status
  out['deploy-staging'] = await timed(() => {
    const kenv = { ...process.env, KUBECONFIG: cfg.kubeconfig };
    const ns = namespaces.staging;
    const secretYaml = sh(
      'kubectl',
      [
        'create',
        'secret',
        'generic',
        `${name}-secrets`,
        '-n',
        ns,
        `--from-literal=SESSION_SECRET=${secret}`,
        '--dry-run=client',
        '-o',
        'yaml',
      ],
      { env: kenv },
    );
    sh('kubectl', ['apply', '-n', ns, '-f', '-'], {
      env: kenv,
      input: secretYaml,
    });
    sh(
      'kubectl',
      ['apply', '-n', ns, '-f', path.join(repo, 'deploy/kubernetes')],
      {
        env: kenv,
      },
    );
    sh(
      'kubectl',
      ['rollout', 'status', '-n', ns, `deployment/${name}`, '--timeout=300s'],
      { env: kenv },
    );
  });
  fs.writeFileSync(
    path.join(WORK, 'raw.json'),
    JSON.stringify({ name, ...out }, null, 2),
  );
}

// ---------------------------------------------------------------------------

async function main() {
  await backend.waitReady(Number(opts['ready-timeout']));
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    log(`run ${i + 1}/${RUNS} (${i === 0 ? 'cold' : 'warm'}, load ${load})`);
    const r = await runTemplate();
    log(`  ${r.name}: ${r.status} in ${sec(r.e2eMs)} s`);
    runs.push(r);
    fs.writeFileSync(path.join(WORK, 'runs.json'), JSON.stringify(runs));
  }
  const raw: Record<string, number> = {};
  let rawError = '';
  if (!opts['skip-raw']) {
    try {
      const last = runs[runs.length - 1].name;
      const commit = sh('git', [
        'ls-remote',
        `${opts.git!.replace(/\/+$/, '')}/paved/${last}.git`,
        'main',
      ]).split(/\s/)[0];
      await rawFloor(raw, `registry.paved.local/${last}:${commit}`);
    } catch (error) {
      rawError = (error as Error).message;
      log(`raw floor failed: ${rawError}`);
    }
  }

  const cold = runs[0];
  const warm = runs.slice(1);
  const rows: string[][] = [];
  let rawTotal = 0;
  let templRawCold = 0;
  let templRawWarm = 0;
  for (const id of STEPS) {
    const c = cold?.steps.find(s => s.id === id);
    const w = median(
      warm
        .map(r => r.steps.find(s => s.id === id)?.ms)
        .filter((x): x is number => x !== undefined),
    );
    const rr = raw[id];
    if (rr !== undefined) {
      rawTotal += rr;
      templRawCold += c?.ms ?? 0;
      templRawWarm += w ?? 0;
    }
    rows.push([
      id,
      c?.ms !== undefined ? sec(c.ms) : c?.status ?? '-',
      sec(w),
      rr !== undefined ? sec(rr) : '-',
    ]);
  }
  const e2eWarm = median(warm.map(r => r.e2eMs));
  rows.push([
    '**end to end** (POST → completed)',
    sec(cold?.e2eMs),
    sec(e2eWarm),
    sec(rawTotal || undefined),
  ]);
  rows.push([
    'steps that have a raw equivalent',
    sec(templRawCold),
    sec(templRawWarm),
    sec(rawTotal || undefined),
  ]);
  const widths = [0, 1, 2, 3].map(i =>
    Math.max(...rows.map(r => r[i].length), 12),
  );
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log();
  console.log(
    `Create Service benchmark: ${runs.length} run(s) (1 cold, ${warm.length} warm), seconds.`,
  );
  console.log(
    `Runs: ${runs
      .map(r => `${r.name} ${r.status} ${sec(r.e2eMs)} s`)
      .join('; ')}`,
  );
  console.log();
  console.log(line(['step', 'cold', 'warm median', 'raw']));
  console.log(line(widths.map(w => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  console.log();
  if (rawTotal && !rawError) {
    console.log(
      `Ratio, template steps / raw tools (same steps): cold ${(
        templRawCold / rawTotal
      ).toFixed(2)}×, warm ${(templRawWarm / rawTotal).toFixed(
        2,
      )}× (goal ≤ 1.5×)`,
    );
    console.log(
      `Ratio, end to end / raw total: cold ${(
        (cold?.e2eMs ?? 0) / rawTotal
      ).toFixed(2)}×, warm ${((e2eWarm ?? 0) / rawTotal).toFixed(2)}×`,
    );
  } else {
    console.log(`Raw floor not measured${rawError ? `: ${rawError}` : ''}`);
  }
  console.log(
    `Goal end to end < 60 s: cold ${sec(cold?.e2eMs)} s, warm median ${sec(
      e2eWarm,
    )} s.`,
  );
  console.log(
    'Step times: task events processing → completed, as seen by polling the events every 100 ms. raw = the same work by hand:',
  );
  console.log(
    'fetch-base = rendering skeleton + language files; publish = POST /api/repos + git init/add/commit/push;',
  );
  console.log(
    'namespaces/database = tofu init + workspace new + apply -auto-approve; credentials = curl to Vault (secret + policy);',
  );
  console.log(
    'deploy-staging = kubectl apply (Secret, manifests) + rollout status.',
  );
  if (runs.some(r => r.status !== 'completed')) process.exitCode = 1;
}

main().catch(error => {
  log(String(error?.stack ?? error));
  process.exit(1);
});
