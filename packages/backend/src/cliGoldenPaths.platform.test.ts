import { VaultClient } from '@paved/plugin-provisioning-node';
import {
  freePort,
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  expectDatabaseWiredToStaging,
  removeProvisionedService,
  startGoldenPathBackend,
} from './__testUtils__/createServiceRun';
import { platformConfig, repoRoot } from './__testUtils__/helpers';
import { startTestBuilder, TestBuilder } from './__testUtils__/testBuilder';

// The golden paths from the terminal: the built `paved` CLI (packages/cli) as a
// child process runs "Create Service" and "Provision Database" through the
// scaffolder of a real backend (catalog, scaffolder, Paved's actions, the
// deployments plugin) on the local platform, then opens psql on the database
// it made. Here and not in packages/cli: this backend and its helpers are
// this package's (createServiceRun.ts); cli.platform.test.ts has the rest.

jest.setTimeout(900_000);

const owner = 'group:default/storefront-team';
const CLI = path.join(repoRoot, 'packages/cli');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each stderr line arrived, and when the process ended (ms since start). */
  stderrAt: { at: number; line: string }[];
  endedAt: number;
}

describe('paved service create and paved db create', () => {
  const { platform } = platformConfig();
  const vault = new VaultClient(platform.vault);
  const name = `cli-${randomBytes(3).toString('hex')}`;
  let remote: TestGitRemote;
  let builder: TestBuilder;
  let home: string;
  let portal: Awaited<ReturnType<typeof startGoldenPathBackend>>;

  function paved(args: string[], stdin = ''): Promise<Run> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(CLI, 'bin/paved'), ...args],
        {
          cwd: home,
          env: {
            PATH: process.env.PATH,
            HOME: home,
            XDG_CONFIG_HOME: path.join(home, 'config'),
            PAVED_PORTAL: portal.base.replace(/\/api$/, ''),
            // The test backend's user token (its mock auth), as `paved login` would store one.
            PAVED_TOKEN: portal.headers.authorization.replace(/^Bearer /, ''),
          },
        },
      );
      let stdout = '';
      let stderr = '';
      const stderrAt: Run['stderrAt'] = [];
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => {
        stderr += d;
        for (const line of String(d).split('\n').filter(Boolean)) {
          stderrAt.push({ at: Date.now() - start, line });
        }
      });
      child.on('error', reject);
      child.on('close', code =>
        resolve({
          code,
          stdout,
          stderr,
          stderrAt,
          endedAt: Date.now() - start,
        }),
      );
      child.stdin.end(stdin);
    });
  }

  beforeAll(async () => {
    // The CLI as it is shipped: one bundled file.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: CLI });
    home = await mkdtemp(path.join(os.tmpdir(), 'paved-cli-golden-'));
    const gitPort = await freePort();
    builder = await startTestBuilder({ gitUrl: `http://127.0.0.1:${gitPort}` });
    remote = await startTestGitRemote({
      builderUrl: builder.url,
      port: gitPort,
    });
    portal = await startGoldenPathBackend({
      database: { client: 'better-sqlite3', connection: ':memory:' },
      gitRemoteBaseUrl: remote.baseUrl,
      builder,
    });
  });

  afterAll(async () => {
    await portal?.stop();
    await removeProvisionedService(name, owner);
    await remote?.stop();
    await builder?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  }, 300_000);

  it('creates a service, streaming the task log, and the entity exists afterwards', async () => {
    const bad = await paved([
      'service',
      'create',
      name,
      '--owner',
      owner,
      '--lang',
      'cobol',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lang: unknown value "cobol"\n.*typescript/);

    const run = await paved([
      'service',
      'create',
      name,
      '--owner',
      owner,
      '--lang',
      'python',
      '--db',
      'none',
      '--tier',
      'experimental',
      '--json',
    ]);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({
      service: `component:default/${name}`,
      taskId: expect.any(String),
      status: 'completed',
    });
    // The task log, step by step, as it happened: the first steps' lines
    // arrive long before the last step (the first deploy) is done.
    const steps = run.stderrAt.filter(l => /^\s+\[[\w-]+\] /.test(l.line));
    expect(steps.map(l => /\[([\w-]+)\]/.exec(l.line)![1])).toEqual(
      expect.arrayContaining(['check-name', 'publish', 'deploy-staging']),
    );
    const firstPublish = steps.find(l => l.line.includes('[publish]'))!;
    const lastDeploy = [...steps]
      .reverse()
      .find(l => l.line.includes('[deploy-staging]'))!;
    expect(lastDeploy.at - firstPublish.at).toBeGreaterThan(1000);
    expect(run.stderr).toMatch(
      /^Task \S+ started \(template:default\/create-service\)/,
    );

    const entity = await portal.getEntity(`component/default/${name}`);
    expect(entity.status).toBe(200);
    expect((await entity.json()).spec).toMatchObject({ owner });
  });

  it('adds a database to it, and db connect logs in to that database', async () => {
    await expect(
      vault.kv('secret', 2).read(`services/${name}/database`),
    ).resolves.toBeUndefined();
    const run = await paved([
      'db',
      'create',
      name,
      '--size',
      'medium',
      '--json',
    ]);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({
      service: `component:default/${name}`,
      status: 'completed',
    });
    expect(run.stderr).toMatch(
      /Task \S+ started \(template:default\/provision-database\)/,
    );
    expect(run.stderr).toMatch(/^\s+\[[\w-]+\] /m);

    const { credentials } = await expectDatabaseWiredToStaging(name);
    expect(run.stdout + run.stderr).not.toContain(credentials.password);

    // The login Provision Database wrote, fetched at run time, at the address the pods use.
    const connect = await paved([
      'db',
      'connect',
      name,
      '--',
      '-AtXc',
      'select current_database(), current_user',
    ]);
    expect({ code: connect.code, stderr: connect.stderr }).toMatchObject({
      code: 0,
    });
    expect(connect.stdout.trim()).toBe(
      `${name.replace(/-/g, '_')}|${credentials.username}`,
    );
    expect(connect.stdout + connect.stderr).not.toContain(credentials.password);
  });
});
