import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@paved/plugin-git-remote-node/testUtils';
import { platformConfig, repoRoot } from './helpers';

/** A real builder (scripts/platform/builder) for one test file. */
export interface TestBuilder {
  url: string;
  /** Where it reports builds from now on: a backend's base URL and the token it accepts. */
  reportTo(portalUrl: string, token: string): Promise<void>;
  /** What it printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the builder on a free port, building from the git remote at `gitUrl`
 * into the local platform's registry. It shares the platform builder's buildah
 * storage (base images and layer cache; buildah locks it), so a test's first
 * build is as warm as the platform's.
 */
export async function startTestBuilder(options: {
  gitUrl: string;
}): Promise<TestBuilder> {
  const { platform } = platformConfig();
  if (!platform.registry?.address) {
    throw new Error(
      'The local platform has no registry: run `yarn platform up` (npm test does it).',
    );
  }
  const platformRun = path.dirname(
    process.env.PAVED_PLATFORM_CONFIG ??
      path.join(repoRoot, '.paved/run/app-config.platform.yaml'),
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paved-test-builder-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(repoRoot, 'scripts/platform/builder/server.ts')],
    {
      env: {
        ...process.env,
        PAVED_BUILDER_DIR: dir,
        PAVED_BUILDER_PORT: String(port),
        PAVED_BUILDER_STORAGE: path.join(platformRun, 'builder'),
        PAVED_GIT_URL: options.gitUrl,
        PAVED_REGISTRY_ADDRESS: platform.registry.address,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the builder exited with ${child.exitCode}:\n${output}`);
    }
    const healthy = await fetch(`${url}/healthz`).then(
      r => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the builder did not answer at ${url}:\n${output}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    async reportTo(portalUrl, token) {
      // The builder reads both before every report.
      await writeFile(path.join(dir, 'portal-url'), portalUrl);
      await writeFile(path.join(dir, 'token'), token, { mode: 0o600 });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
