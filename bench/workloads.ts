/*
 * Real-workloads benchmark (issue 10): what a developer waits for, on the real
 * node, through the real backend, builder, registry and gateway.
 *
 *  0. The node's idle overhead: RSS of kubelet, containerd, kube-proxy, CoreDNS,
 *     the registry (and the builder and gateway beside them), read from /proc
 *     by their pid files once the backend is up and nothing is deployed yet.
 *  1. Create Service (TypeScript, no database) → the first version answering on
 *     its staging URL with the initial commit: RUNS times (the first one warms
 *     the builder's layer cache for this platform), with the steps' times from
 *     the task events.
 *  2. Push → build → deployed → answering: PUSHES times, a commit changing
 *     src/index.ts pushed as a developer's git client does; the build appears (builds API), finishes, is
 *     deployed through POST /api/deployments and its commit answers at the URL.
 *     The build's share is the builder's own startedAt → finishedAt.
 *  3. Deploy → new version answering, beside raw `kubectl set image` +
 *     `kubectl rollout status` of the same Deployment: DEPLOYS of each,
 *     alternating, between the two images built in 1 and 2.
 *
 * "Answering" is a GET /healthz through the gateway (Host
 * <service>.<namespace>.localhost) that returns the expected commit as
 * `version`, polled every POLL_MS.
 *
 * Run it through bench/workloads.sh (private platform, ports and node). Node
 * builtins, fetch and the repo's `yaml`; Node 22 strips the types.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  Backend,
  loadAverage,
  log,
  median,
  newServiceName,
  now,
  sec,
  sh,
  sleep,
  stepTimings,
} from './lib/backend.ts';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'http://localhost:27207' },
    git: { type: 'string' },
    'gateway-port': { type: 'string' },
    run: { type: 'string' },
    kubeconfig: { type: 'string' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    pushes: { type: 'string', default: process.env.BENCH_PUSHES ?? '3' },
    deploys: { type: 'string', default: process.env.BENCH_DEPLOYS ?? '5' },
    'poll-ms': { type: 'string', default: '100' },
    work: {
      type: 'string',
      default:
        process.env.BENCH_WORK ??
        path.join(os.tmpdir(), 'paved-bench-workloads'),
    },
    'ready-timeout': { type: 'string', default: '900' },
    'task-timeout': { type: 'string', default: '600' },
  },
});

const backend = new Backend(opts.backend!);
const GIT = opts.git!.replace(/\/+$/, '');
const GATEWAY_PORT = Number(opts['gateway-port']);
const RUN = path.resolve(opts.run!);
const POLL_MS = Number(opts['poll-ms']);
const WORK = path.resolve(opts.work!);
const TIMEOUT_S = Number(opts['task-timeout']);
const kubectlEnv = { ...process.env, KUBECONFIG: opts.kubeconfig! };
fs.mkdirSync(WORK, { recursive: true });

// ---------------------------------------------------------------- helpers

/** The `version` the service reports at its URL, or undefined. */
function reportedVersion(
  service: string,
  namespace: string,
): Promise<string | undefined> {
  return new Promise(resolve => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: GATEWAY_PORT,
        path: '/healthz',
        headers: { host: `${service}.${namespace}.localhost:${GATEWAY_PORT}` },
        timeout: 2000,
      },
      res => {
        let body = '';
        res.on('data', chunk => (body += chunk));
        res.on('end', () => {
          try {
            resolve(
              res.statusCode === 200 ? JSON.parse(body).version : undefined,
            );
          } catch {
            resolve(undefined);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** When (epoch ms) the staging URL first answers with `commit`. */
async function answering(service: string, commit: string) {
  const deadline = now() + TIMEOUT_S * 1000;
  while (now() < deadline) {
    if ((await reportedVersion(service, `${service}-staging`)) === commit)
      return now();
    await sleep(POLL_MS);
  }
  throw new Error(`${service} never answered with ${commit}`);
}

const headOf = (service: string) =>
  sh('git', ['ls-remote', `${GIT}/paved/${service}.git`, 'main']).split(
    /\s/,
  )[0];

const kubectl = (...args: string[]) => sh('kubectl', args, { env: kubectlEnv });

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${backend.base}/api/deployments${route}`, {
    method,
    headers: await backend.headers(),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as any;
  if (!res.ok)
    throw new Error(
      `${method} ${route}: HTTP ${res.status} ${JSON.stringify(json)}`,
    );
  return json;
}

/** POST /deployments (retrying a 409 while a previous watcher holds the lock), then its end. */
async function deploy(service: string, image: string) {
  let created: any;
  for (let i = 0; ; i++) {
    try {
      created = await api('POST', '/deployments', {
        entityRef: `component:default/${service}`,
        environment: 'staging',
        image,
      });
      break;
    } catch (error) {
      if (i > 300 || !String(error).includes('HTTP 409')) throw error;
      await sleep(100);
    }
  }
  const deadline = now() + TIMEOUT_S * 1000;
  for (;;) {
    const d = await api('GET', `/deployments/${created.id}`);
    if (d.status === 'succeeded') return now();
    if (d.status === 'failed')
      throw new Error(`deploy of ${image} failed: ${d.message}`);
    if (now() > deadline) throw new Error(`deploy of ${image} never ended`);
    await sleep(POLL_MS);
  }
}

/** The build of `commit`, once it has ended. */
async function buildOf(service: string, commit: string, seen?: () => void) {
  const deadline = now() + TIMEOUT_S * 1000;
  for (;;) {
    const page = await api(
      'GET',
      `/entities/component/default/${service}/builds?limit=5`,
    );
    const build = page.items.find((b: any) => commit.startsWith(b.commitSha));
    if (build) seen?.();
    if (build && build.status !== 'running') {
      if (build.status !== 'succeeded')
        throw new Error(`build of ${commit} ${build.status}: ${build.message}`);
      return build;
    }
    if (now() > deadline) throw new Error(`no finished build of ${commit}`);
    await sleep(250);
  }
}

function rss(pidFile: string): number | undefined {
  try {
    const pid = fs.readFileSync(pidFile, 'utf8').trim();
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
  } catch {
    return undefined;
  }
}

const table = (rows: string[][]) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.slice(1).map(line),
  ].join('\n');
};

// ---------------------------------------------------------------- phases

function nodeOverhead() {
  const parts: Array<[string, string]> = [
    ['kubelet', 'node/kubelet.pid'],
    ['containerd', 'node/containerd.pid'],
    ['kube-proxy', 'node/kube-proxy.pid'],
    ['CoreDNS', 'node/coredns.pid'],
    ['registry', 'registry/registry.pid'],
    ['builder', 'builder/builder.pid'],
    ['gateway', 'gateway.pid'],
  ];
  const rows = [['part', 'RSS (MiB)']];
  let node = 0;
  for (const [part, file] of parts) {
    const mib = rss(path.join(RUN, file));
    if (mib === undefined) {
      rows.push([part, `- (no ${file})`]);
      continue;
    }
    if (!['builder', 'gateway'].includes(part)) node += mib;
    rows.push([part, mib.toFixed(0)]);
  }
  rows.push([
    '**node: kubelet + containerd + kube-proxy + CoreDNS + registry**',
    node.toFixed(0),
  ]);
  return table(rows);
}

type CreateRun = {
  name: string;
  commit: string;
  taskMs: number;
  answeringMs: number;
  steps: Record<string, number>;
};

async function createService(): Promise<CreateRun> {
  const name = newServiceName();
  await backend.headers();
  const t0 = now();
  const run = await backend.createService(name, {
    work: WORK,
    timeoutS: TIMEOUT_S,
    values: { database: 'none' },
  });
  if (run.status !== 'completed')
    throw new Error(`Create Service ${name}: ${run.status}`);
  const commit = headOf(name);
  const answeredAt = await answering(name, commit);
  return {
    name,
    commit,
    taskMs: run.e2eMs,
    answeringMs: answeredAt - t0,
    steps: Object.fromEntries(
      Object.entries(stepTimings(run)).flatMap(([id, t]) =>
        t.ms === undefined ? [] : [[id, t.ms]],
      ),
    ),
  };
}

type PushRun = {
  commit: string;
  image: string;
  toBuildSeenMs: number;
  buildMs: number;
  toBuildDoneMs: number;
  deployMs: number;
  totalMs: number;
};

async function pushAndDeploy(service: string, n: number): Promise<PushRun> {
  const dir = fs.mkdtempSync(path.join(WORK, 'push-'));
  const git = (...args: string[]) =>
    sh(
      'git',
      ['-c', 'user.name=Bench', '-c', 'user.email=bench@paved.local', ...args],
      { cwd: dir },
    );
  git('clone', '--quiet', `${GIT}/paved/${service}.git`, '.');
  // A change to the source, so the image's compile step runs again (as in a real change).
  fs.appendFileSync(
    path.join(dir, 'src/index.ts'),
    `// benchmark change ${n}\n`,
  );
  git('add', 'src/index.ts');
  git('commit', '--quiet', '-m', `Benchmark change ${n}`);
  const commit = git('rev-parse', 'HEAD').trim();
  const t0 = now();
  git('push', '--quiet', 'origin', 'main');
  let seenAt = 0;
  const build = await buildOf(service, commit, () => {
    seenAt ||= now();
  });
  const builtAt = now();
  await deploy(service, build.image);
  const answeredAt = await answering(service, commit);
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    commit,
    image: build.image,
    toBuildSeenMs: seenAt - t0,
    buildMs: build.durationMs,
    toBuildDoneMs: builtAt - t0,
    deployMs: answeredAt - builtAt,
    totalMs: answeredAt - t0,
  };
}

/** Deploy through the API: POST → succeeded, and → the URL answers the commit. */
async function apiDeploy(service: string, image: string, commit: string) {
  const t0 = now();
  const answered = answering(service, commit);
  const succeededAt = await deploy(service, image);
  return { doneMs: succeededAt - t0, answeringMs: (await answered) - t0 };
}

/** The same change by hand: kubectl set image + rollout status. */
async function rawDeploy(service: string, image: string, commit: string) {
  const ns = `${service}-staging`;
  const t0 = now();
  const answered = answering(service, commit);
  kubectl(
    'set',
    'image',
    '-n',
    ns,
    `deployment/${service}`,
    `${service}=${image}`,
  );
  kubectl(
    'rollout',
    'status',
    '-n',
    ns,
    `deployment/${service}`,
    '--timeout=300s',
  );
  const doneAt = now();
  return { doneMs: doneAt - t0, answeringMs: (await answered) - t0 };
}

// ---------------------------------------------------------------- main

async function main() {
  await backend.waitReady(Number(opts['ready-timeout']));
  const out: string[] = [];
  const say = (line = '') => {
    out.push(line);
    console.log(line);
  };

  log(`node overhead (idle), load ${loadAverage()}`);
  const idle = nodeOverhead();

  const runs: CreateRun[] = [];
  for (let i = 0; i < Number(opts.runs); i++) {
    log(`Create Service ${i + 1}/${opts.runs}, load ${loadAverage()}`);
    const r = await createService();
    log(
      `  ${r.name}: task ${sec(r.taskMs)} s, answering ${sec(r.answeringMs)} s`,
    );
    runs.push(r);
  }
  const service = runs[runs.length - 1];

  const pushes: PushRun[] = [];
  for (let i = 0; i < Number(opts.pushes); i++) {
    log(`push ${i + 1}/${opts.pushes}, load ${loadAverage()}`);
    const p = await pushAndDeploy(service.name, i + 1);
    log(
      `  ${p.commit.slice(0, 7)}: build ${sec(p.buildMs)} s, total ${sec(
        p.totalMs,
      )} s`,
    );
    pushes.push(p);
  }

  // Deploys alternate between the first and the last image (the Deployment
  // runs the last one now), API and raw taking turns.
  const first = {
    image: `registry.paved.local/${service.name}:${service.commit}`,
    commit: service.commit,
  };
  const last = pushes.length
    ? {
        image: pushes[pushes.length - 1].image,
        commit: pushes[pushes.length - 1].commit,
      }
    : first;
  const viaApi: Array<{ doneMs: number; answeringMs: number }> = [];
  const viaRaw: Array<{ doneMs: number; answeringMs: number }> = [];
  let current = last;
  for (let i = 0; i < 2 * Number(opts.deploys); i++) {
    const next = current === first ? last : first;
    const how = i % 2 === 0 ? 'api' : 'raw';
    log(
      `deploy ${i + 1} (${how}) → ${next.commit.slice(
        0,
        7,
      )}, load ${loadAverage()}`,
    );
    const r =
      how === 'api'
        ? await apiDeploy(service.name, next.image, next.commit)
        : await rawDeploy(service.name, next.image, next.commit);
    (how === 'api' ? viaApi : viaRaw).push(r);
    current = next;
  }

  say();
  say(
    `Real workloads benchmark, ${new Date().toISOString()}; load now ${loadAverage()}.`,
  );
  say();
  say(
    'Node overhead, idle (after `platform up`, backend ready, nothing deployed):',
  );
  say(idle);
  say();
  say(
    `Create Service (TypeScript, no database) → first version answering on staging, ${runs.length} run(s), seconds:`,
  );
  const stepIds = [...new Set(runs.flatMap(r => Object.keys(r.steps)))];
  const header = [
    '',
    ...runs.map((r, i) => `run ${i + 1}${i === 0 ? ' (cold cache)' : ''}`),
    'median of warm',
  ];
  const warm = runs.slice(1);
  const rowOf = (label: string, pick: (r: CreateRun) => number | undefined) => [
    label,
    ...runs.map(r => sec(pick(r))),
    sec(median(warm.map(pick).filter((x): x is number => x !== undefined))),
  ];
  say(
    table([
      header,
      ...stepIds.map(id => rowOf(`step ${id}`, r => r.steps[id])),
      rowOf('POST → task completed', r => r.taskMs),
      rowOf(
        '**POST → answering with its commit** (goal < 60)',
        r => r.answeringMs,
      ),
    ]),
  );
  say();
  if (pushes.length) {
    say(
      `Push → build → deployed to staging and answering, ${pushes.length} push(es), seconds:`,
    );
    const prow = (label: string, pick: (p: PushRun) => number) => [
      label,
      ...pushes.map(p => sec(pick(p))),
      sec(median(pushes.map(pick))),
    ];
    say(
      table([
        ['', ...pushes.map((_, i) => `push ${i + 1}`), 'median'],
        prow('push → build recorded', p => p.toBuildSeenMs),
        prow('build (builder: start → end)', p => p.buildMs),
        prow('push → build ended (seen)', p => p.toBuildDoneMs),
        prow('deploy → answering', p => p.deployMs),
        prow('**push → answering** (goal < 60)', p => p.totalMs),
      ]),
    );
    const share = median(pushes.map(p => p.buildMs / p.totalMs));
    say(
      `Build's share of push → answering (median): ${(
        (share ?? 0) * 100
      ).toFixed(0)} %.`,
    );
    say();
  }
  if (viaApi.length && viaRaw.length) {
    const mApiDone = median(viaApi.map(r => r.doneMs))!;
    const mRawDone = median(viaRaw.map(r => r.doneMs))!;
    const mApiAns = median(viaApi.map(r => r.answeringMs))!;
    const mRawAns = median(viaRaw.map(r => r.answeringMs))!;
    say(
      `Deploy → new version, ${viaApi.length} through Paved and ${viaRaw.length} raw, alternating, seconds (median):`,
    );
    say(
      table([
        [
          '',
          'Paved (POST /api/deployments)',
          'raw (kubectl set image + rollout status)',
          'ratio',
        ],
        [
          'until done (deployment succeeded / rollout status returned)',
          sec(mApiDone),
          sec(mRawDone),
          `${(mApiDone / mRawDone).toFixed(2)}×`,
        ],
        [
          'until the URL answers the new commit',
          sec(mApiAns),
          sec(mRawAns),
          `${(mApiAns / mRawAns).toFixed(2)}×`,
        ],
      ]),
    );
    say('Goal: Paved ≤ 1.3× raw.');
    say(
      `All: Paved done ${viaApi
        .map(r => sec(r.doneMs))
        .join(', ')}; raw done ${viaRaw.map(r => sec(r.doneMs)).join(', ')}.`,
    );
  }
  say();
  say('Node overhead after the runs (services deployed):');
  say(nodeOverhead());
  fs.writeFileSync(
    path.join(WORK, 'workloads.json'),
    JSON.stringify({ runs, pushes, viaApi, viaRaw }, null, 2),
  );
}

main().catch(error => {
  log(String(error?.stack ?? error));
  process.exit(1);
});
