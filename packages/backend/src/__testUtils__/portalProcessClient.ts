import { JsonObject } from '@backstage/types';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { builderToken, portalClient } from './createServiceRun';
import { repoRoot } from './helpers';
import { TestBuilder } from './testBuilder';

/**
 * Starts startGoldenPathBackend in a child process (portalProcess.ts) and
 * returns its HTTP client, plus `kill()`: SIGKILL, the portal crashing.
 * Its database should be one a restart keeps (SQLite on disk, PostgreSQL).
 */
export async function startPortalProcess(options: {
  database: JsonObject;
  gitRemoteBaseUrl: string;
  builder: TestBuilder;
  staleTimeoutSeconds?: number;
}) {
  const { builder, ...rest } = options;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(
        repoRoot,
        'packages/backend/src/__testUtils__/portalProcess.ts',
      ),
    ],
    {
      cwd: path.join(repoRoot, 'packages/backend'),
      env: { ...process.env, PAVED_TEST_PORTAL_OPTIONS: JSON.stringify(rest) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the portal process did not start:\n${output.slice(-4000)}`),
      );
    }, 300_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const ready = output.match(/^PORTAL_READY (\S+)$/m);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(
        new Error(
          `the portal process exited with ${code}:\n${output.slice(-4000)}`,
        ),
      );
    });
  });
  // Keep only the tail of what it prints, for a failure's message.
  child.stdout!.on('data', () => (output = output.slice(-20_000)));
  await builder.reportTo(base.replace(/\/api$/, ''), builderToken());
  const exited = new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    ...(await portalClient(base)),
    /** The portal crashes: SIGKILL, nothing runs on. */
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    output: () => output,
  };
}
