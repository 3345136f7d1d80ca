/*
 * (Over 400 lines: queueing, the buildah run, its failure messages and the reporting with
 * retries are one process's job; each has its section below.)
 *
 * Paved's local builder: the stand-in for each service's CI pipeline on a machine
 * without GitHub Actions. The git remote (../git-remote/server.ts) tells it about every
 * push that moves `main`; it builds the pushed commit's Dockerfile with buildah, exactly
 * as the skeleton's CI workflow does (`docker build --build-arg GIT_COMMIT=<sha>`),
 * pushes `<registry>/<repo>:<sha>` (which Kubernetes pulls as
 * `registry.paved.local/<repo>:<sha>`), and reports the build to the portal through the
 * same builds API a company's real CI posts to (POST /api/deployments/builds, log chunks,
 * PATCH with the outcome), with a static service token.
 *
 *   POST /builds {owner, repo, sha}   queue a build of that commit (202); one build at a time
 *                                     per repository, and the newest push wins the queue
 *   GET  /builds                      every repository's builds (newest first)
 *   GET  /builds/:owner/:repo         one repository's builds, without logs
 *   GET  /builds/:owner/:repo/:id     one build with its log
 *   GET  /healthz
 *
 * Environment (scripts/platform/lib/builder.sh sets it):
 *   PAVED_BUILDER_PORT (8940), PAVED_BUILDER_DIR ($PAVED_RUN/builder: buildah storage, work
 *   trees, build records, token, portal-url), PAVED_GIT_URL (http://127.0.0.1:8930),
 *   PAVED_REGISTRY_ADDRESS (else $PAVED_RUN/registry/address, else 127.0.0.1:$PAVED_REGISTRY_PORT),
 *   PAVED_BUILD_TIMEOUT (600 s), PAVED_BUILDER_CONCURRENCY (2 repositories at once),
 *   PAVED_BUILDER_REPORT_RETRY (1800 s: how long an unreachable portal is retried),
 *   PAVED_BUILDER_STORAGE (a directory whose storage/ and runroot/ are shared buildah storage).
 *
 * Run with Node 22+ (type stripping): node scripts/platform/builder/server.ts
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const runDir = path.resolve(process.env.PAVED_RUN ?? '.paved/run');
const baseDir = path.resolve(
  process.env.PAVED_BUILDER_DIR ?? path.join(runDir, 'builder'),
);
const port = Number(process.env.PAVED_BUILDER_PORT ?? 8940);
const host = process.env.PAVED_BUILDER_HOST ?? '127.0.0.1';
const gitUrl = (
  process.env.PAVED_GIT_URL ??
  `http://127.0.0.1:${process.env.PAVED_GIT_PORT ?? 8930}`
).replace(/\/+$/, '');
const timeoutSeconds = Number(process.env.PAVED_BUILD_TIMEOUT ?? 600);
const concurrency = Math.max(
  1,
  Number(process.env.PAVED_BUILDER_CONCURRENCY ?? 2),
);
const reportRetryMs =
  Number(process.env.PAVED_BUILDER_REPORT_RETRY ?? 1800) * 1000;
const publicRegistry =
  process.env.PAVED_REGISTRY_PUBLIC_HOST ?? 'registry.paved.local';
const logLimit = 4 * 1024 * 1024; // a build's log beyond this is cut (and says so)
const chunkLimit = 256 * 1024; // at most this much log per POST
const keepPerRepo = 50; // build records kept per repository

// PAVED_BUILDER_STORAGE: another builder's buildah storage to share (its layer cache and
// base images; buildah locks it), e.g. a test's builder using the platform's.
const storageDir = process.env.PAVED_BUILDER_STORAGE
  ? path.resolve(process.env.PAVED_BUILDER_STORAGE, 'storage')
  : path.join(baseDir, 'storage');
const runrootDir = process.env.PAVED_BUILDER_STORAGE
  ? path.resolve(process.env.PAVED_BUILDER_STORAGE, 'runroot')
  : path.join(baseDir, 'runroot');
const workRoot = path.join(baseDir, 'work');
const recordsDir = path.join(baseDir, 'builds');
const registriesConf = path.join(baseDir, 'registries.conf');
const registriesConfDir = path.join(baseDir, 'registries.conf.d'); // empty
const policyFile = path.join(baseDir, 'policy.json');

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
const SHA_PATTERN = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

type State = 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded';

interface Commit {
  sha: string;
  message: string;
  author: string;
  time: string;
}

/** What the builder knows of one build; kept in $PAVED_BUILDER_DIR/builds/<id>.json. */
interface Build {
  id: string;
  owner: string;
  repo: string;
  sha: string;
  state: State;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  commit?: Commit;
  image?: string;
  digest?: string;
  message?: string;
  log: string;
  /** Reporting to the portal. */
  report: {
    /** The portal's id of the record, once created. */
    portalId?: string;
    /** How much of `log` the portal has. */
    logSent: number;
    /** The outcome was accepted (or the portal already had one). */
    done: boolean;
    /** Why the last attempt failed, if it did. */
    error?: string;
    /** When reporting started failing (retries stop reportRetryMs later). */
    failingSince?: string;
    /** Reporting gave up; the record stays here. */
    abandoned?: boolean;
  };
}

const builds = new Map<string, Build>();
/** Per repository: the build running and the one waiting (the newest push). */
const lanes = new Map<string, { running?: Build; pending?: Build }>();

function info(message: string, fields: Record<string, unknown> = {}) {
  console.log(
    JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields }),
  );
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

// ------------------------------------------------------------------ records

function summary(b: Build, withLog = false) {
  const { log, report, ...rest } = b;
  const durationMs =
    b.startedAt && b.finishedAt
      ? Date.parse(b.finishedAt) - Date.parse(b.startedAt)
      : undefined;
  return {
    ...rest,
    durationMs,
    report: {
      portalBuildId: report.portalId,
      state: report.done
        ? 'reported'
        : report.abandoned
        ? `gave up: ${report.error}`
        : report.error
        ? `retrying: ${report.error}`
        : 'pending',
    },
    ...(withLog ? { log } : {}),
  };
}

const saving = new Map<string, Promise<void>>();
/** Writes the record (atomically; one write at a time per build). */
function save(b: Build): Promise<void> {
  const previous = saving.get(b.id) ?? Promise.resolve();
  const next = previous.then(async () => {
    const file = path.join(recordsDir, `${b.id}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify(b));
    await rename(`${file}.tmp`, file);
  });
  const settled = next.catch(error =>
    info('could not save a build record', { id: b.id, error: String(error) }),
  );
  saving.set(b.id, settled);
  return settled;
}

function appendLog(b: Build, text: string) {
  if (!text) return;
  if (b.log.length >= logLimit) return;
  b.log += text;
  if (b.log.length >= logLimit) {
    b.log = `${b.log.slice(0, logLimit)}\n[log cut at ${logLimit} bytes]\n`;
  }
}

async function loadRecords() {
  await mkdir(recordsDir, { recursive: true });
  const files = (await readdir(recordsDir)).filter(f => f.endsWith('.json'));
  const loaded: Build[] = [];
  for (const file of files) {
    try {
      loaded.push(
        JSON.parse(await readFile(path.join(recordsDir, file), 'utf8')),
      );
    } catch (error) {
      info('skipping an unreadable build record', {
        file,
        error: String(error),
      });
    }
  }
  loaded.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  for (const b of loaded) {
    builds.set(b.id, b);
    if (b.state === 'running') {
      // The builder stopped (or was killed) during this build.
      finish(
        b,
        'failed',
        'the builder stopped during this build; push again to build the commit',
      );
    } else if (b.state === 'queued') {
      enqueue(b);
    } else if (!b.report.done && !b.report.abandoned) {
      scheduleReport(b, 0);
    }
  }
}

async function pruneRecords(owner: string, repo: string) {
  const all = [...builds.values()]
    .filter(
      b =>
        b.owner === owner &&
        b.repo === repo &&
        (b.state === 'succeeded' ||
          b.state === 'failed' ||
          b.state === 'superseded') &&
        (b.report.done || b.report.abandoned || b.state === 'superseded'),
    )
    .sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
  for (const old of all.slice(keepPerRepo)) {
    builds.delete(old.id);
    await unlink(path.join(recordsDir, `${old.id}.json`)).catch(() => {});
  }
}

// ------------------------------------------------------------------ queue

function laneOf(b: { owner: string; repo: string }) {
  const key = `${b.owner}/${b.repo}`;
  let lane = lanes.get(key);
  if (!lane) {
    lane = {};
    lanes.set(key, lane);
  }
  return lane;
}

function enqueue(b: Build): Build {
  const lane = laneOf(b);
  if (lane.running?.sha === b.sha) return lane.running;
  if (lane.pending?.sha === b.sha) return lane.pending;
  if (lane.pending) {
    // The newest push wins: the waiting one is never built.
    const old = lane.pending;
    old.state = 'superseded';
    old.finishedAt = new Date().toISOString();
    old.message = `superseded by ${b.sha} before it started`;
    void save(old);
    info('build superseded', { id: old.id, repo: old.repo, sha: old.sha });
  }
  lane.pending = b;
  builds.set(b.id, b);
  void save(b);
  pump();
  return b;
}

function runningCount() {
  let n = 0;
  for (const lane of lanes.values()) if (lane.running) n++;
  return n;
}

function pump() {
  const waiting = [...lanes.values()]
    .filter(lane => lane.pending && !lane.running)
    .sort((a, b) => a.pending!.queuedAt.localeCompare(b.pending!.queuedAt));
  for (const lane of waiting) {
    if (runningCount() >= concurrency) return;
    const b = lane.pending!;
    lane.pending = undefined;
    lane.running = b;
    runBuild(b)
      .catch(error => {
        if (b.state === 'running')
          finish(b, 'failed', `the builder failed: ${String(error)}`);
      })
      .finally(() => {
        lane.running = undefined;
        void pruneRecords(b.owner, b.repo);
        pump();
        void maybePruneStorage();
      });
  }
}

// ------------------------------------------------------------------ the build

function registryAddress(): Promise<string> {
  if (process.env.PAVED_REGISTRY_ADDRESS)
    return Promise.resolve(process.env.PAVED_REGISTRY_ADDRESS);
  return readFile(path.join(runDir, 'registry/address'), 'utf8').then(
    text => text.trim().split('\n')[0],
    () => `127.0.0.1:${process.env.PAVED_REGISTRY_PORT ?? 15000}`,
  );
}

/**
 * buildah resolves the public names of the Dockerfiles (docker.io/library/node:…,
 * gcr.io/distroless/…, registry.paved.local/…) to the local registry, under the
 * same paths, as containerd does.
 */
async function writeContainersConfig(registry: string) {
  const conf = [
    '# Written by the Paved builder (scripts/platform/builder/server.ts) on every build.',
    'unqualified-search-registries = ["docker.io"]',
    'short-name-mode = "permissive"',
    ...['docker.io', 'gcr.io', publicRegistry, registry].flatMap(prefix => [
      '',
      '[[registry]]',
      `prefix = "${prefix}"`,
      `location = "${registry}"`,
      'insecure = true',
    ]),
    '',
  ].join('\n');
  await writeFile(`${registriesConf}.tmp`, conf);
  await rename(`${registriesConf}.tmp`, registriesConf);
  await writeFile(
    policyFile,
    '{"default":[{"type":"insecureAcceptAnything"}]}\n',
  );
}

function buildahArgs(...args: string[]) {
  return [
    '--root',
    storageDir,
    '--runroot',
    runrootDir,
    '--storage-driver',
    'overlay',
    // Only our registries.conf: none of the machine's aliases or mirrors.
    '--registries-conf',
    registriesConf,
    '--registries-conf-dir',
    registriesConfDir,
    ...args,
  ];
}

const buildahEnv = () => ({
  ...process.env,
  CONTAINERS_REGISTRIES_CONF: registriesConf,
  // Nothing from the machine's own containers configuration.
  CONTAINERS_CONF: '/dev/null',
  BUILDAH_ISOLATION: 'chroot',
});

interface Outcome {
  code: number | null;
  timedOut: boolean;
}

/** Process groups of the commands running now (stopped with the builder). */
const children = new Set<number>();

/**
 * Runs a command in its own process group, its output appended to the build log as it
 * comes; past `deadline` the whole group gets SIGTERM, then SIGKILL.
 */
function runLogged(
  b: Build,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; deadline: number },
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    if (child.pid) children.add(child.pid);
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      appendLog(b, `\n[builder] time limit reached: stopping the build\n`);
      kill('SIGTERM');
      killer = setTimeout(() => kill('SIGKILL'), 10_000);
    }, Math.max(0, options.deadline - Date.now()));
    child.stdout.on('data', (chunk: Buffer) =>
      appendLog(b, chunk.toString('utf8')),
    );
    child.stderr.on('data', (chunk: Buffer) =>
      appendLog(b, chunk.toString('utf8')),
    );
    child.on('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', code => {
      clearTimeout(timer);
      if (child.pid) children.delete(child.pid);
      if (killer) {
        // Whatever is left of the group (a RUN step's children) goes too.
        kill('SIGKILL');
        clearTimeout(killer);
      }
      resolve({ code, timedOut });
    });
  });
}

async function git(cwd: string, args: string[]) {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}

/** The cause of a failed `buildah bud`, from its output. */
function failureOf(log: string): string {
  const lines = log.split('\n').map(l => l.trimEnd());
  let step = 0;
  let instruction = '';
  for (const line of lines) {
    const m = /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: (.*)$/.exec(line);
    if (m) {
      step++;
      instruction = m[1].trim();
    }
  }
  let errorAt = lines.length - 1;
  while (errorAt >= 0 && !/^(Error|error)[: ]/.test(lines[errorAt].trim()))
    errorAt--;
  let cause = errorAt >= 0 ? lines[errorAt].trim() : '';
  cause = cause.replace(/^Error:\s*/, '');
  // "building at STEP "<instruction>": <cause>" (the instruction may hold quotes)
  for (const prefix of [
    `error building at STEP "${instruction}": `,
    `building at STEP "${instruction}": `,
  ]) {
    if (cause.startsWith(prefix)) cause = cause.slice(prefix.length);
  }
  cause = cause.replace(/^(?:error )?building at STEP ".*": /, '');
  // What the failing command said last (a compiler's error, a test's failure).
  const noise =
    /^(\[\d+\/\d+\] )?STEP |^-->|^subprocess exited|^(Error|error)[: ]|^time=|^\[builder\]|^(Trying to pull|Resolv|Getting image source|Copying (blob|config)|Writing manifest|Storing signatures)/;
  let said = '';
  for (let i = errorAt - 1; i >= 0 && !/STEP \d+\/\d+: /.test(lines[i]); i--) {
    if (lines[i].trim() && !noise.test(lines[i].trim())) {
      said = lines[i].trim();
      break;
    }
  }
  const cap = (text: string, n: number) =>
    text.length > n ? `${text.slice(0, n)}…` : text;
  if (step === 0) {
    return `the Dockerfile could not be read: ${
      cap(cause, 300) || 'buildah failed (see the log)'
    }`;
  }
  return (
    `the Dockerfile failed at step ${step} (${cap(instruction, 120)})` +
    (cause ? `: ${cap(cause, 200)}` : '') +
    (said ? `; last output: ${cap(said, 200)}` : '')
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function runBuild(b: Build) {
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  b.state = 'running';
  b.startedAt = new Date(started).toISOString();
  const work = path.join(workRoot, b.id);
  const src = path.join(work, 'src');
  const cloneUrl = `${gitUrl}/${b.owner}/${b.repo}.git`;
  let tag: string | undefined;
  info('build started', { id: b.id, repo: `${b.owner}/${b.repo}`, sha: b.sha });
  try {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    appendLog(b, `[builder] fetching ${cloneUrl} at ${b.sha}\n`);
    try {
      await git(work, ['clone', '--quiet', '--no-checkout', cloneUrl, src]);
      await git(src, ['checkout', '--quiet', '--detach', b.sha]);
      // One fixed time on every file: a fresh checkout's times are "now", and buildah's
      // layer cache would take every COPY for a change (a CI's BuildKit keys on content).
      await execFileAsync('find', [
        src,
        '-path',
        path.join(src, '.git'),
        '-prune',
        '-o',
        '-exec',
        'touch',
        '-h',
        '-d',
        '@315532800', // 1980-01-01, as in zip files and reproducible builds
        '{}',
        '+',
      ]);
    } catch (error) {
      b.commit = { sha: b.sha, message: '', author: '', time: b.startedAt };
      startReporting(b);
      appendLog(b, `${(error as { stderr?: string }).stderr ?? error}\n`);
      finish(
        b,
        'failed',
        `commit ${b.sha} could not be fetched from ${cloneUrl}`,
      );
      return;
    }
    const [author, time, ...message] = (
      await git(src, ['log', '-1', '--format=%an%x00%cI%x00%B', b.sha])
    ).split('\0');
    b.commit = {
      sha: b.sha,
      author,
      time: new Date(time).toISOString(),
      message: message.join('\0').trim(),
    };
    startReporting(b);

    const dockerfile = await stat(path.join(src, 'Dockerfile')).catch(
      () => undefined,
    );
    if (!dockerfile?.isFile()) {
      appendLog(b, '[builder] there is no Dockerfile at the repository root\n');
      finish(b, 'failed', 'no Dockerfile at the repository root');
      return;
    }

    const registry = await registryAddress();
    await writeContainersConfig(registry);
    tag = `${registry}/${b.repo}:${b.sha}`;
    appendLog(
      b,
      `[builder] buildah bud --build-arg GIT_COMMIT=${b.sha} -t ${publicRegistry}/${b.repo}:${b.sha} . ` +
        `(time limit ${timeoutSeconds} s)\n`,
    );
    const logStart = b.log.length;
    const budStarted = Date.now();
    const bud = await runLogged(
      b,
      'nice',
      [
        '-n',
        '10',
        'buildah',
        ...buildahArgs(
          'bud',
          '--isolation',
          'chroot',
          '--layers',
          '--force-rm',
          '--format',
          'oci',
          '--signature-policy',
          policyFile,
          '--build-arg',
          `GIT_COMMIT=${b.sha}`,
          '--tag',
          tag,
          '--file',
          'Dockerfile',
          '.',
        ),
      ],
      { cwd: src, env: buildahEnv(), deadline },
    );
    if (bud.timedOut) {
      finish(
        b,
        'failed',
        `the build ran past its limit of ${timeoutSeconds} s`,
      );
      return;
    }
    if (bud.code !== 0) {
      finish(b, 'failed', failureOf(b.log.slice(logStart)));
      return;
    }

    appendLog(
      b,
      `[builder] built in ${seconds(
        Date.now() - budStarted,
      )}; pushing ${publicRegistry}/${b.repo}:${b.sha}\n`,
    );
    const pushStarted = Date.now();
    const digestFile = path.join(work, 'digest');
    const push = await runLogged(
      b,
      'buildah',
      buildahArgs(
        'push',
        '--signature-policy',
        policyFile,
        '--tls-verify=false',
        '--digestfile',
        digestFile,
        tag,
        `docker://${tag}`,
      ),
      { env: buildahEnv(), deadline },
    );
    if (push.timedOut) {
      finish(
        b,
        'failed',
        `the build ran past its limit of ${timeoutSeconds} s`,
      );
      return;
    }
    if (push.code !== 0) {
      finish(
        b,
        'failed',
        `pushing the image to the registry at ${registry} failed (see the log)`,
      );
      return;
    }
    b.digest = (await readFile(digestFile, 'utf8')).trim();
    b.image = `${publicRegistry}/${b.repo}:${b.sha}`;
    appendLog(
      b,
      `[builder] pushed ${b.image} (${b.digest}) in ${seconds(
        Date.now() - pushStarted,
      )}; ` + `${seconds(Date.now() - started)} since the build started\n`,
    );
    finish(b, 'succeeded');
  } finally {
    // The tag only: the layers stay as the cache of the next build.
    if (tag) {
      await execFileAsync('buildah', buildahArgs('rmi', tag), {
        env: buildahEnv(),
      }).catch(() => {});
    }
    await rm(work, { recursive: true, force: true }).catch(() => {});
    info('build finished', {
      id: b.id,
      repo: `${b.owner}/${b.repo}`,
      sha: b.sha,
      state: b.state,
      message: b.message,
      seconds: (Date.now() - started) / 1000,
    });
  }
}

function finish(b: Build, state: 'succeeded' | 'failed', message?: string) {
  if (b.state === 'succeeded' || b.state === 'failed') return; // the first outcome stands
  b.state = state;
  b.finishedAt = new Date().toISOString();
  if (message) {
    b.message = message;
    appendLog(b, `[builder] ${state}: ${message}\n`);
  }
  void save(b);
  scheduleReport(b, 0);
}

/** Past this much stored cache, an idle builder starts its buildah storage afresh. */
const storageLimitBytes =
  Number(process.env.PAVED_BUILDER_STORAGE_GB ?? 20) * 1e9;
let buildsSincePrune = 0;
async function maybePruneStorage() {
  if (++buildsSincePrune < 10 || runningCount() > 0) return;
  buildsSincePrune = 0;
  try {
    const { stdout } = await execFileAsync('du', ['-sxb', storageDir]);
    if (Number(stdout.split('\t')[0]) < storageLimitBytes) return;
    if (runningCount() > 0) return;
    info('pruning the build cache', { bytes: Number(stdout.split('\t')[0]) });
    await execFileAsync('buildah', buildahArgs('rmi', '--all', '--force'), {
      env: buildahEnv(),
    });
  } catch (error) {
    info('pruning the build cache failed', { error: String(error) });
  }
}

// ------------------------------------------------------------------ reporting

async function portalUrl(): Promise<string> {
  const text = await readFile(path.join(baseDir, 'portal-url'), 'utf8').catch(
    () => '',
  );
  return (text.trim() || 'http://127.0.0.1:7007').replace(/\/+$/, '');
}

class PortalError extends Error {
  readonly retry: boolean;
  readonly status?: number;
  constructor(message: string, retry: boolean, status?: number) {
    super(message);
    this.retry = retry;
    this.status = status;
  }
}

async function portal(method: string, route: string, body: unknown) {
  const token = (
    await readFile(path.join(baseDir, 'token'), 'utf8').catch(() => '')
  ).trim();
  const url = `${await portalUrl()}/api/deployments${route}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new PortalError(
      `${method} ${url}: ${cause ?? (error as Error).message}`,
      true,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    // 5xx: the portal is unwell; 401/403: its config (the token) may not be loaded yet.
    const retry =
      response.status >= 500 ||
      response.status === 401 ||
      response.status === 403 ||
      (response.status === 404 && route === '/builds');
    throw new PortalError(
      `${method} ${url}: ${response.status} ${text.slice(0, 300)}`,
      retry,
      response.status,
    );
  }
  return text ? JSON.parse(text) : {};
}

/** Brings the portal's record up to date: create, log chunks, outcome. */
async function syncReport(b: Build) {
  const r = b.report;
  if (!b.commit) return; // not yet known: reported once the commit is read
  if (!r.portalId) {
    // The log grows while the request is under way: what was sent is what it had now.
    const first = b.log.slice(0, chunkLimit);
    const created = await portal('POST', '/builds', {
      entityRef: `component:default/${b.repo}`,
      commit: b.commit,
      status: 'running',
      startedAt: b.startedAt,
      log: first,
    });
    const id = created?.build?.id ?? created?.id;
    if (typeof id !== 'string')
      throw new PortalError(
        `POST /builds answered without a build id: ${JSON.stringify(
          created,
        ).slice(0, 200)}`,
        false,
      );
    r.portalId = id;
    r.logSent = first.length;
  }
  while (r.logSent < b.log.length) {
    const text = b.log.slice(r.logSent, r.logSent + chunkLimit);
    await portal('POST', `/builds/${r.portalId}/log`, { text });
    r.logSent += text.length;
  }
  if (b.state === 'succeeded' || b.state === 'failed') {
    try {
      await portal('PATCH', `/builds/${r.portalId}`, {
        status: b.state,
        ...(b.image ? { image: b.image, digest: b.digest } : {}),
        ...(b.message ? { message: b.message } : {}),
        finishedAt: b.finishedAt,
      });
    } catch (error) {
      // 409: the record is finished already (e.g. the PATCH went through, its answer didn't).
      if (!(error instanceof PortalError && error.status === 409)) throw error;
    }
    r.done = true;
  }
}

const reporting = new Set<string>();
const reportTimers = new Map<string, NodeJS.Timeout>();
const attempts = new Map<string, number>();

function startReporting(b: Build) {
  void save(b);
  scheduleReport(b, 0);
}

/** Runs syncReport for b after `delayMs`, one at a time; retries with backoff. */
function scheduleReport(b: Build, delayMs: number) {
  if (b.report.done || b.report.abandoned) return;
  if (reportTimers.has(b.id)) {
    if (delayMs > 0) return;
    clearTimeout(reportTimers.get(b.id));
  }
  reportTimers.set(
    b.id,
    setTimeout(() => {
      reportTimers.delete(b.id);
      void reportNow(b);
    }, delayMs),
  );
}

async function reportNow(b: Build) {
  if (reporting.has(b.id)) {
    // One sync at a time; whatever changed meanwhile goes with the next.
    scheduleReport(b, 1000);
    return;
  }
  reporting.add(b.id);
  try {
    await syncReport(b);
    if (b.report.error)
      info('reporting to the portal works again', { id: b.id });
    b.report.error = undefined;
    b.report.failingSince = undefined;
    attempts.delete(b.id);
  } catch (error) {
    const e = error as PortalError;
    const now = Date.now();
    b.report.failingSince ??= new Date(now).toISOString();
    b.report.error = e.message;
    const n = (attempts.get(b.id) ?? 0) + 1;
    attempts.set(b.id, n);
    if (!e.retry || now - Date.parse(b.report.failingSince) > reportRetryMs) {
      b.report.abandoned = true;
      info('gave up reporting a build to the portal; the record stays here', {
        id: b.id,
        repo: b.repo,
        sha: b.sha,
        error: e.message,
      });
    } else {
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(n - 1, 5));
      if (n === 1 || n % 10 === 0)
        info('the portal is unreachable; retrying', {
          id: b.id,
          attempt: n,
          retryInMs: delay,
          error: e.message,
        });
      scheduleReport(b, delay);
    }
  } finally {
    reporting.delete(b.id);
    void save(b);
  }
  // While the build runs, its log goes out about once a second.
  if (b.state === 'running' && !b.report.error) scheduleReport(b, 1000);
}

// ------------------------------------------------------------------ HTTP

async function readJson(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(
      400,
      'The body must be JSON: {"owner": "...", "repo": "...", "sha": "<full commit sha>"}',
    );
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const segments = url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (url.pathname === '/healthz') {
    const queued = [...lanes.values()].filter(l => l.pending).length;
    sendJson(res, 200, {
      status: 'ok',
      running: runningCount(),
      queued,
      timeoutSeconds,
    });
    return;
  }
  if (segments[0] !== 'builds') throw new HttpError(404, 'Not found');
  if (req.method === 'POST' && segments.length === 1) {
    const body = await readJson(req);
    const { owner, repo, sha } = body ?? {};
    if (typeof owner !== 'string' || !NAME_PATTERN.test(owner))
      throw new HttpError(400, `"owner" must match ${NAME_PATTERN}`);
    if (typeof repo !== 'string' || !NAME_PATTERN.test(repo))
      throw new HttpError(400, `"repo" must match ${NAME_PATTERN}`);
    if (typeof sha !== 'string' || !SHA_PATTERN.test(sha))
      throw new HttpError(
        400,
        '"sha" must be a full commit SHA (40 hex digits)',
      );
    const b = enqueue({
      id: randomUUID(),
      owner,
      repo,
      sha,
      state: 'queued',
      queuedAt: new Date().toISOString(),
      log: '',
      report: { logSent: 0, done: false },
    });
    info('build queued', { id: b.id, repo: `${owner}/${repo}`, sha });
    sendJson(res, 202, { build: summary(b) });
    return;
  }
  if (req.method === 'GET') {
    const [, owner, repo, id] = segments;
    const list = [...builds.values()]
      .filter(
        b =>
          (!owner || b.owner === owner) &&
          (!repo || b.repo === repo) &&
          (!id || b.id === id),
      )
      .sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
    if (id) {
      if (!list[0]) throw new HttpError(404, `No build ${id}`);
      sendJson(res, 200, { build: summary(list[0], true) });
      return;
    }
    sendJson(res, 200, { builds: list.map(b => summary(b)) });
    return;
  }
  throw new HttpError(405, `${req.method} is not allowed here`);
}

await mkdir(baseDir, { recursive: true });
await mkdir(workRoot, { recursive: true });
await mkdir(registriesConfDir, { recursive: true });
await writeContainersConfig(await registryAddress());
// Leftovers of a builder that was killed: containers of unfinished builds, work trees.
await execFileAsync('buildah', buildahArgs('rm', '--all'), {
  env: buildahEnv(),
}).catch(() => {});
for (const leftover of await readdir(workRoot)) {
  await rm(path.join(workRoot, leftover), { recursive: true, force: true });
}
await loadRecords();

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (!res.headersSent)
      sendJson(res, status, { error: { message: (error as Error).message } });
    else res.end();
  });
});
server.listen(port, host, () => {
  info(
    `Paved builder on http://${host}:${port}: builds from ${gitUrl}, time limit ${timeoutSeconds} s`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    // No build outlives the builder: stop them, record them failed; the next start
    // reports what the portal has not heard yet.
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const lane of lanes.values()) {
      if (lane.running?.state === 'running') {
        finish(
          lane.running,
          'failed',
          'the builder was stopped during this build; push again to build the commit',
        );
      }
    }
    Promise.all([...saving.values()]).finally(() => process.exit(0));
  });
}
