import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A real git remote server (scripts/platform/git-remote) for one test file. */
export interface TestGitRemote {
  baseUrl: string;
  /** Directory holding the bare repositories. */
  root: string;
  stop(): Promise<void>;
}

// Tests run from source, where __dirname is this directory.
const serverScript = path.resolve(
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../scripts/platform/git-remote/server.ts',
);

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the git remote on a free port with an empty repository root. With
 * `builderUrl`, every push that moves `main` is announced to that builder
 * (scripts/platform/builder), as the platform's git remote does; without, to none.
 */
export async function startTestGitRemote(
  options: { builderUrl?: string; port?: number } = {},
): Promise<TestGitRemote> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'paved-git-remote-'));
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [serverScript], {
    env: {
      ...process.env,
      PAVED_GIT_ROOT: root,
      PAVED_GIT_PORT: String(port),
      PAVED_GIT_BASE_URL: baseUrl,
      PAVED_BUILDER_URL: options.builderUrl ?? '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += chunk));

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`git remote exited with ${child.exitCode}: ${stderr}`);
    }
    const healthy = await fetch(`${baseUrl}/healthz`).then(
      r => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`git remote did not start on ${baseUrl}: ${stderr}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }

  return {
    baseUrl,
    root,
    async stop() {
      child.kill();
      await new Promise(resolve => child.once('exit', resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}
