// Over 400 lines: the real git remote and builder processes, a stand-in portal that checks
// the builds API calls, and one test per way a build ends (succeeded, no Dockerfile, broken
// step, portal down, superseded, time limit, other branch).
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { platformConfig, poll, repoRoot } from './__testUtils__/helpers';

// Builds on push, for real: the git remote (scripts/platform/git-remote) and the
// builder (scripts/platform/builder) run as processes on private ports; a push
// with git builds the commit's Dockerfile with buildah, against the local
// platform's registry and its locally built base images, and the builder reports
// to a stand-in portal that speaks the builds API (POST /api/deployments/builds,
// POST …/log, PATCH) and checks the builder's service token. Needs root (buildah)
// and `yarn platform up` (the registry and the base images): missing, the tests
// fail and say so.

const execFileAsync = promisify(execFile);
const builderScript = path.join(repoRoot, 'scripts/platform/builder/server.ts');
const gitRemoteScript = path.join(
  repoRoot,
  'scripts/platform/git-remote/server.ts',
);
const owner = 'paved';
const publicRegistry = 'registry.paved.local';

/** The local platform's registry (host:port): env, else what `yarn platform up` wrote (config, run dir). */
function registryAddress(): string {
  if (process.env.PAVED_REGISTRY_ADDRESS)
    return process.env.PAVED_REGISTRY_ADDRESS;
  let address: string | undefined;
  try {
    address = platformConfig().platform.registry?.address;
  } catch {
    address = undefined;
  }
  if (!address && process.env.PAVED_RUN) {
    try {
      address = readFileSync(
        path.join(process.env.PAVED_RUN, 'registry/address'),
        'utf8',
      ).trim();
    } catch {
      address = undefined;
    }
  }
  if (!address) {
    throw new Error(
      'No local registry: `yarn platform up` writes paved.platform.registry.address to the platform config (or set PAVED_REGISTRY_ADDRESS).',
    );
  }
  return address;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A process of the platform, with its output kept for failure messages. */
interface Part {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

async function startPart(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  healthUrl: string,
): Promise<Part> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    if (
      await fetch(healthUrl).then(
        r => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer at ${healthUrl}:\n${output}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What the stand-in portal received for one build record. */
interface PortalBuild {
  id: string;
  created: Record<string, any>;
  logs: string[];
  patch?: Record<string, any>;
  /** create, log, patch: in the order they came. */
  calls: string[];
}

/** A stand-in for the portal's builds API (the contract in plugins/deployments-backend). */
async function startPortal(token: string) {
  const builds = new Map<string, PortalBuild>();
  const state = { down: false, unauthorized: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (state.down) return send(503, { error: { message: 'starting' } });
    if (req.headers.authorization !== `Bearer ${token}`) {
      state.unauthorized++;
      return send(401, { error: { message: 'not the builder token' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/api/deployments/builds') {
      const id = randomBytes(8).toString('hex');
      builds.set(id, {
        id,
        created: body,
        logs: [],
        calls: ['create'],
      });
      return send(201, { build: { id, status: body.status } });
    }
    const logOf = /^\/api\/deployments\/builds\/(\w+)\/log$/.exec(url);
    const recordOf = /^\/api\/deployments\/builds\/(\w+)$/.exec(url);
    if (req.method === 'POST' && logOf) {
      const b = builds.get(logOf[1]);
      if (!b) return send(404, {});
      if (typeof body.text !== 'string') return send(400, {});
      b.logs.push(body.text);
      b.calls.push('log');
      return send(200, {});
    }
    if (req.method === 'PATCH' && recordOf) {
      const b = builds.get(recordOf[1]);
      if (!b) return send(404, {});
      if (b.patch) return send(409, { error: { message: 'finished' } });
      b.patch = body;
      b.calls.push('patch');
      return send(200, { build: { id: b.id, ...body } });
    }
    return send(404, {});
  });
  const port = await freePort();
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    builds,
    state,
    /** The finished record of the build of `sha`. */
    finished: (sha: string, timeoutMs = 240_000) =>
      poll(
        `the portal to get the outcome of the build of ${sha}`,
        async () =>
          [...builds.values()].find(
            b => b.created.commit?.sha === sha && b.patch,
          ),
        timeoutMs,
      ),
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}

/** The manifest digest the registry holds for repo:tag, or undefined. */
async function registryDigest(registry: string, repo: string, tag: string) {
  const response = await fetch(
    `http://${registry}/v2/${repo}/manifests/${tag}`,
    {
      method: 'HEAD',
      headers: {
        accept:
          'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    },
  );
  return response.ok
    ? response.headers.get('docker-content-digest') ?? undefined
    : undefined;
}

async function git(cwd: string, ...args: string[]) {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Ada Lovelace',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada Lovelace',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
    },
  });
  return stdout.trim();
}

describe('builds on push (git remote → builder → registry → portal)', () => {
  const suffix = randomBytes(3).toString('hex');
  const token = randomBytes(16).toString('hex');
  let registry: string;
  let work: string;
  let builderDir: string;
  let gitUrl: string;
  let builderPort: number;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let gitRemote: Part | undefined;
  let builder: Part | undefined;
  const pushedRepos: string[] = [];

  const startBuilder = async (env: NodeJS.ProcessEnv = {}) => {
    builder = await startPart(
      'builder',
      builderScript,
      {
        PAVED_BUILDER_DIR: builderDir,
        PAVED_BUILDER_PORT: String(builderPort),
        PAVED_GIT_URL: gitUrl,
        PAVED_REGISTRY_ADDRESS: registry,
        PAVED_BUILDER_REPORT_RETRY: '120',
        ...env,
      },
      `http://127.0.0.1:${builderPort}/healthz`,
    );
  };

  /** The portal's finished record of the build of sha; failing, what the builder said. */
  const finished = (sha: string, timeoutMs?: number) =>
    portal.finished(sha, timeoutMs).catch(error => {
      throw new Error(
        `${error.message}\n--- builder output ---\n${builder
          ?.output()
          .slice(-6000)}`,
      );
    });

  /** Commits `files` to main of a repository (created on first use) and pushes; the sha. */
  const push = async (repo: string, files: Record<string, string>) => {
    const dir = path.join(work, repo);
    if (!existsSync(dir)) {
      const created = await fetch(`${gitUrl}/api/repos`, {
        method: 'POST',
        body: JSON.stringify({ owner, name: repo }),
      });
      expect(created.status).toBe(201);
      pushedRepos.push(repo);
      await mkdir(dir, { recursive: true });
      await git(dir, 'init', '-q', '-b', 'main');
    }
    for (const [file, content] of Object.entries(files)) {
      await writeFile(path.join(dir, file), content);
    }
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', `Change ${Object.keys(files)}`);
    await git(dir, 'push', '-q', `${gitUrl}/${owner}/${repo}.git`, 'main');
    return git(dir, 'rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    await execFileAsync('buildah', ['--version']).catch(() => {
      throw new Error(
        'buildah is not installed: `yarn platform up` installs it (apt-get install buildah)',
      );
    });
    registry = registryAddress();
    for (const [repo, tag] of [
      ['library/debian', 'bookworm-slim'],
      ['distroless/static-debian12', 'nonroot'],
    ]) {
      if (!(await registryDigest(registry, repo, tag).catch(() => undefined)))
        throw new Error(
          `The registry at ${registry} lacks the base image ${repo}:${tag}: \`yarn platform up\` builds and pushes it (scripts/platform/lib/images.sh)`,
        );
    }
    work = await mkdtemp(path.join(os.tmpdir(), 'paved-builds-'));
    builderDir = path.join(work, '.builder');
    await mkdir(builderDir);
    await writeFile(path.join(builderDir, 'token'), `${token}\n`, {
      mode: 0o600,
    });
    portal = await startPortal(token);
    await writeFile(path.join(builderDir, 'portal-url'), `${portal.url}\n`);
    builderPort = await freePort();
    const gitPort = await freePort();
    gitUrl = `http://127.0.0.1:${gitPort}`;
    gitRemote = await startPart(
      'git remote',
      gitRemoteScript,
      {
        PAVED_GIT_ROOT: path.join(work, '.git-remote'),
        PAVED_GIT_PORT: String(gitPort),
        PAVED_GIT_BASE_URL: gitUrl,
        PAVED_BUILDER_URL: `http://127.0.0.1:${builderPort}`,
      },
      `${gitUrl}/healthz`,
    );
    await startBuilder();
  }, 60_000);

  afterAll(async () => {
    await builder?.stop();
    await gitRemote?.stop();
    await portal?.stop();
    if (builderDir) {
      const buildah = (...args: string[]) =>
        execFileAsync('buildah', [
          '--root',
          path.join(builderDir, 'storage'),
          '--runroot',
          path.join(builderDir, 'runroot'),
          '--storage-driver',
          'overlay',
          ...args,
        ]).catch(() => undefined);
      await buildah('rm', '--all');
      await buildah('rmi', '--all', '--force');
    }
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('builds a push to main: a running record, the log in chunks, then succeeded with the image and its digest, in the registry', async () => {
    const repo = `build-ok-${suffix}`;
    const sha = await push(repo, {
      Dockerfile: [
        'FROM debian:bookworm-slim AS build',
        'ARG GIT_COMMIT',
        'RUN for i in 1 2 3; do echo "compiling part $i"; sleep 1; done; echo "$GIT_COMMIT" > /version.txt',
        '',
        'FROM gcr.io/distroless/static-debian12:nonroot',
        'COPY --from=build /version.txt /version.txt',
        'ARG GIT_COMMIT',
        'ENV GIT_COMMIT=${GIT_COMMIT}',
        '',
      ].join('\n'),
      'README.md': '# a service\n',
    });

    const record = await finished(sha);
    const image = `${publicRegistry}/${repo}:${sha}`;
    expect(record.created).toMatchObject({
      entityRef: `component:default/${repo}`,
      status: 'running',
      commit: {
        sha,
        author: 'Ada Lovelace',
        message: 'Change Dockerfile,README.md',
      },
    });
    expect(Date.parse(record.created.commit.time)).not.toBeNaN();
    expect(Date.parse(record.created.startedAt)).not.toBeNaN();
    // Running first, the log as it came (more than one chunk), the outcome last.
    expect(record.calls[0]).toBe('create');
    expect(record.calls.at(-1)).toBe('patch');
    expect(record.calls.filter(c => c === 'log').length).toBeGreaterThan(1);
    const log = [record.created.log ?? '', ...record.logs].join('');
    expect(log).toContain('STEP 1/3: FROM debian:bookworm-slim AS build');
    expect(log).toContain('compiling part 3');
    expect(log).toContain(`pushed ${image}`);
    expect(record.patch).toMatchObject({
      status: 'succeeded',
      image,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(Date.parse(record.patch!.finishedAt)).not.toBeNaN();

    // The image is in the registry under the digest reported, built with GIT_COMMIT.
    expect(await registryDigest(registry, repo, sha)).toBe(
      record.patch!.digest,
    );
    const manifest = await (
      await fetch(`http://${registry}/v2/${repo}/manifests/${sha}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json();
    const config = await (
      await fetch(
        `http://${registry}/v2/${repo}/blobs/${manifest.config.digest}`,
      )
    ).json();
    expect(config.config.Env).toContain(`GIT_COMMIT=${sha}`);
    expect(config.config.User).toBe('65532:65532');

    // The builder's own account of it.
    const listed = await (
      await fetch(`http://127.0.0.1:${builderPort}/builds/${owner}/${repo}`)
    ).json();
    expect(listed.builds[0]).toMatchObject({
      sha,
      state: 'succeeded',
      image,
      report: { state: 'reported', portalBuildId: record.id },
    });
  }, 300_000);

  it('reports a push without a Dockerfile as failed, saying so, and pushes nothing', async () => {
    const repo = `build-nodockerfile-${suffix}`;
    const sha = await push(repo, { 'README.md': '# no Dockerfile here\n' });
    const record = await finished(sha);
    expect(record.patch).toMatchObject({
      status: 'failed',
      message: 'no Dockerfile at the repository root',
    });
    expect(record.patch!.image).toBeUndefined();
    expect(await registryDigest(registry, repo, sha)).toBeUndefined();
  }, 120_000);

  it('reports a broken Dockerfile as failed at its failing step, with the log, and pushes nothing', async () => {
    const repo = `build-broken-${suffix}`;
    const sha = await push(repo, {
      Dockerfile: [
        'FROM debian:bookworm-slim',
        'RUN echo "compiling"',
        'RUN echo "main.go:3:1: syntax error: unexpected }" >&2; exit 2',
        'RUN echo never',
        '',
      ].join('\n'),
    });
    const record = await finished(sha);
    expect(record.patch!.status).toBe('failed');
    expect(record.patch!.message).toMatch(
      /^the Dockerfile failed at step 3 \(RUN echo "main\.go:3:1: syntax error.*\): exit status 2; last output: main\.go:3:1: syntax error: unexpected }$/,
    );
    expect(record.patch!.image).toBeUndefined();
    const log = [record.created.log ?? '', ...record.logs].join('');
    expect(log).toContain('main.go:3:1: syntax error: unexpected }');
    expect(log).not.toContain('STEP 4/4');
    expect(await registryDigest(registry, repo, sha)).toBeUndefined();
  }, 120_000);

  it('keeps the record while the portal is unreachable and reports it once it is back', async () => {
    const repo = `build-portal-down-${suffix}`;
    portal.state.down = true;
    const sha = await push(repo, { 'README.md': '# nothing to build\n' });
    const listed = () =>
      fetch(`http://127.0.0.1:${builderPort}/builds/${owner}/${repo}`).then(r =>
        r.json(),
      );
    // The build is done, the portal still knows nothing: the builder retries.
    await poll('the builder to retry reporting', async () => {
      const [b] = (await listed()).builds;
      return b?.state === 'failed' && /^retrying: .*503/.test(b.report.state)
        ? b
        : undefined;
    });
    expect(
      [...portal.builds.values()].some(b => b.created.commit?.sha === sha),
    ).toBe(false);
    expect(builder!.output()).toContain('the portal is unreachable; retrying');
    portal.state.down = false;
    const record = await finished(sha, 90_000);
    expect(record.created.commit.sha).toBe(sha);
    expect(record.patch).toMatchObject({
      status: 'failed',
      message: 'no Dockerfile at the repository root',
    });
    expect((await listed()).builds[0].report.state).toBe('reported');
  }, 180_000);

  it('builds the newest of the pushes that wait for a running build, and only that', async () => {
    const repo = `build-queue-${suffix}`;
    const slow = 'FROM debian:bookworm-slim\nRUN sleep 4\n';
    const first = await push(repo, { Dockerfile: slow });
    const second = await push(repo, { Dockerfile: `${slow}RUN echo 2\n` });
    const third = await push(repo, { Dockerfile: `${slow}RUN echo 3\n` });
    expect((await finished(first)).patch!.status).toBe('succeeded');
    expect((await finished(third)).patch!.status).toBe('succeeded');
    expect(
      [...portal.builds.values()].some(b => b.created.commit?.sha === second),
    ).toBe(false);
    const { builds } = await (
      await fetch(`http://127.0.0.1:${builderPort}/builds/${owner}/${repo}`)
    ).json();
    expect(builds.map((b: any) => [b.sha, b.state])).toEqual([
      [third, 'succeeded'],
      [second, 'superseded'],
      [first, 'succeeded'],
    ]);
    expect(await registryDigest(registry, repo, second)).toBeUndefined();
  }, 300_000);

  it('stops a build that runs past its time limit, reports it failed and leaves no process behind', async () => {
    await builder!.stop();
    await startBuilder({ PAVED_BUILD_TIMEOUT: '6' });
    const repo = `build-timeout-${suffix}`;
    const marker = String(300 + Math.floor(Math.random() * 600)); // sleep N: ours
    const sha = await push(repo, {
      Dockerfile: `FROM debian:bookworm-slim\nRUN sleep ${marker}\n`,
    });
    const record = await finished(sha, 120_000);
    expect(record.patch).toMatchObject({
      status: 'failed',
      message: 'the build ran past its limit of 6 s',
    });
    expect(record.patch!.image).toBeUndefined();
    expect(await registryDigest(registry, repo, sha)).toBeUndefined();
    const { stdout } = await execFileAsync('ps', ['-eo', 'args']);
    expect(
      stdout.split('\n').filter(line => line.trim() === `sleep ${marker}`),
    ).toEqual([]);
    // Idle again once it has cleaned up after the build.
    const healthz = await poll('the builder to be idle', async () => {
      const health = await (
        await fetch(`http://127.0.0.1:${builderPort}/healthz`)
      ).json();
      return health.running === 0 ? health : undefined;
    });
    expect(healthz).toMatchObject({ running: 0, timeoutSeconds: 6 });
  }, 180_000);

  it('answers a push to another branch with no build, and a bad request with 400', async () => {
    const repo = `build-branch-${suffix}`;
    await push(repo, { 'README.md': 'main\n' });
    const dir = path.join(work, repo);
    await git(dir, 'checkout', '-q', '-b', 'feature');
    await writeFile(path.join(dir, 'README.md'), 'feature\n');
    await git(dir, 'commit', '-qam', 'On a branch');
    await git(dir, 'push', '-q', `${gitUrl}/${owner}/${repo}.git`, 'feature');
    const branchSha = await git(dir, 'rev-parse', 'HEAD');
    await new Promise(resolve => setTimeout(resolve, 1500));
    const { builds } = await (
      await fetch(`http://127.0.0.1:${builderPort}/builds/${owner}/${repo}`)
    ).json();
    expect(builds.map((b: any) => b.sha)).not.toContain(branchSha);
    const bad = await fetch(`http://127.0.0.1:${builderPort}/builds`, {
      method: 'POST',
      body: JSON.stringify({ owner, repo, sha: 'main' }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/"sha" must be a full/);
    expect(portal.state.unauthorized).toBe(0);
  }, 120_000);
});
