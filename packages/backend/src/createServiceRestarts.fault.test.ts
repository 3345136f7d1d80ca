import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { VaultClient } from '@paved/plugin-provisioning-node';
import {
  freePort,
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  removeProvisionedService,
  startGoldenPathBackend,
} from './__testUtils__/createServiceRun';
import { startPortalProcess } from './__testUtils__/portalProcessClient';
import {
  currentDatabaseOf,
  platformConfig,
  poll,
  repoRoot,
} from './__testUtils__/helpers';
import { startTestBuilder, TestBuilder } from './__testUtils__/testBuilder';

// A restart in the middle of Create Service, and PostgreSQL stopped in the middle of a database
// password rotation (issue 12, docs/decisions/0028). Real scaffolder, catalog and deployments
// plugins in a real backend, on the real platform:
// 1. The portal stops while a run waits for its first build; a new portal on the same database
//    resumes the run from that step (scaffolder.taskRecovery) and it completes.
// 2. Every platform part stops (`platform.sh down`) while a run deploys; after `up` the run
//    has completed, or it ended failed saying what to do and "Retry" finishes it.
// 3. A DATABASE_PASSWORD rotation with PostgreSQL down is refused (503, nothing written); with
//    PostgreSQL stopped during one, Vault and PostgreSQL still agree on the login the pods
//    use, the message says what is left and a re-run finishes it.
// It stops platform parts, so it is a *.fault.test.ts (scripts/test.sh runs those alone).

jest.setTimeout(1_800_000);

const exec = promisify(execFile);
const owner = 'group:default/storefront-team';

function runDir() {
  const run = process.env.PAVED_RUN;
  if (!run || !process.env.PAVED_ROOT) {
    throw new Error(
      'PAVED_ROOT and PAVED_RUN are not set: run this test through `npm test` (scripts/test.sh), which starts the test platform',
    );
  }
  return run;
}

async function platform(command: 'down' | 'up') {
  runDir();
  await exec(
    'bash',
    [path.join(repoRoot, 'scripts/platform/platform.sh'), command],
    { env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
  ).catch(error => {
    throw new Error(
      `platform.sh ${command} failed (${error.code}): ${error.stderr}\n${error.stdout}`.slice(
        0,
        8000,
      ),
    );
  });
}

/** Stops the platform's PostgreSQL as a crash would (SIGQUIT: immediate shutdown, no checkpoint). */
async function crashPostgres() {
  const pid = Number(
    (
      await readFile(
        path.join(runDir(), 'postgres/data/postmaster.pid'),
        'utf8',
      )
    )
      .split('\n')[0]
      .trim(),
  );
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, 'SIGQUIT');
  await poll('PostgreSQL to stop', async () => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  });
}

describe('a restart in the middle of Create Service or of a rotation', () => {
  const created: string[] = [];
  let remote: TestGitRemote;
  let builder: TestBuilder;
  let databaseDir: string;
  let platformDown = false;
  const portals: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    const gitPort = await freePort();
    builder = await startTestBuilder({ gitUrl: `http://127.0.0.1:${gitPort}` });
    remote = await startTestGitRemote({
      builderUrl: builder.url,
      port: gitPort,
    });
    databaseDir = await mkdtemp(path.join(os.tmpdir(), 'paved-midrun-db-'));
  });
  afterAll(async () => {
    for (const portal of portals.splice(0)) {
      await portal.stop().catch(() => undefined);
    }
    if (platformDown) await platform('up');
    for (const name of created) {
      // Cleanup: a slow namespace deletion must not hide the test's own result.
      await removeProvisionedService(name, owner).catch(error =>
        console.warn(`Removing ${name} failed: ${error}`),
      );
    }
    await remote?.stop();
    await builder?.stop();
    if (databaseDir) await rm(databaseDir, { recursive: true, force: true });
  }, 600_000);

  const start = async (database: Record<string, any>) => {
    const portal = await startGoldenPathBackend({
      database,
      gitRemoteBaseUrl: remote.baseUrl,
      builder,
      // app-config.yaml says 30 s; shorter here so that the test waits less.
      staleTimeoutSeconds: 5,
    });
    portals.push(portal);
    return {
      ...portal,
      stop: async () => {
        portals.splice(portals.indexOf(portal), 1);
        await portal.stop();
      },
    };
  };
  type Portal = Awaited<ReturnType<typeof start>>;
  const stepStarted = (
    portal: Pick<Portal, 'events'>,
    taskId: string,
    stepId: string,
  ) =>
    poll(
      `step ${stepId} to start`,
      async () =>
        (await portal.events(taskId)).some(
          e => e.body.stepId === stepId && e.body.status === 'processing',
        ) || undefined,
      300_000,
    );
  const get = async (
    portal: Pick<Portal, 'base' | 'headers'>,
    route: string,
  ) => {
    const response = await fetch(`${portal.base}${route}`, {
      headers: portal.headers,
    });
    expect(response.status).toBe(200);
    return response.json();
  };
  const expectRunning = async (
    name: string,
    portal: Pick<Portal, 'base' | 'headers'>,
  ) => {
    const entity = await get(
      portal,
      `/catalog/entities/by-name/component/default/${name}`,
    );
    expect(entity.metadata.annotations['paved.dev/golden-path']).toBeDefined();
    const history = (
      await get(
        portal,
        `/deployments/entities/component/default/${name}/deployments`,
      )
    ).items;
    expect(history[0]).toMatchObject({
      environment: 'staging',
      status: 'succeeded',
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(platformConfig().platform.kubeconfig);
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name, namespace: `${name}-staging` });
    expect(deployment.status?.availableReplicas).toBe(1);
    return history;
  };

  it('resumes a run from the step it was in when the portal restarted', async () => {
    // The portal runs in a process of its own, on the embedded default (SQLite on disk), and
    // is killed (SIGKILL) in the middle of the run: a crash, nothing of it runs on.
    const database = {
      client: 'better-sqlite3',
      connection: { directory: path.join(databaseDir, 'crashed') },
    };
    await mkdir(database.connection.directory, { recursive: true });
    const startProcess = async () => {
      const started = await startPortalProcess({
        database,
        gitRemoteBaseUrl: remote.baseUrl,
        builder,
        // app-config.yaml says 30 s; shorter here so that the test waits less.
        staleTimeoutSeconds: 5,
      });
      portals.push(started);
      return started;
    };
    let portal = await startProcess();
    const name = `midrun-${randomBytes(3).toString('hex')}`;
    created.push(name);
    const taskId = (
      await (
        await portal.createTask({
          name,
          owner,
          description: 'Survives a portal restart mid-run',
          language: 'python',
          database: 'none',
          tier: 'experimental',
        })
      ).json()
    ).id;
    // The run has published its repository and waits for the builder.
    await stepStarted(portal, taskId, 'build');
    await portal.kill();

    portal = await startProcess();
    const run = await portal.finish(taskId, 600_000);
    expect(run.log).toContain(
      'Task recovered - resuming from last known good state',
    );
    expect(run.log).toContain(
      'Skipping step publish because it was already completed in a previous run',
    );
    expect(run.log).toContain('Run completed with status: completed');
    expect(run.status).toBe('completed');
    // One deployment: nothing was done twice.
    const history = await expectRunning(name, portal);
    expect(history).toHaveLength(1);
    await portal.stop();
    portals.splice(portals.indexOf(portal), 1);
  });

  it('finishes a run every platform part stopped in, and keeps Vault and PostgreSQL agreeing through a rotation PostgreSQL stopped in', async () => {
    const database = {
      client: 'better-sqlite3',
      connection: { directory: databaseDir },
    };
    const portal = await start(database);
    const name = `midplat-${randomBytes(3).toString('hex')}`;
    created.push(name);
    const taskId = (
      await (
        await portal.createTask({
          name,
          owner,
          description: 'Survives the platform restarting mid-run',
          language: 'python',
          database: 'postgres',
          tier: 'experimental',
        })
      ).json()
    ).id;

    // Every platform part stops while the first deploy rolls out, and starts again.
    await stepStarted(portal, taskId, 'deploy-staging');
    console.log('fault: the platform goes down during deploy-staging');
    platformDown = true;
    await platform('down');
    await platform('up');
    platformDown = false;
    let run = await portal.finish(taskId, 900_000);
    console.log(
      `fault: the run ended ${
        run.status
      } after the platform came back:\n${run.log.slice(-2500)}`,
    );
    // It completed, or it ended failed saying what to do, and Retry (the task page's menu)
    // finishes it from the step that failed.
    const ended = {
      status: run.status,
      saysWhatToDo:
        run.status === 'completed' || /Retry this run/.test(run.log),
    };
    let retry = { status: 201, resumed: true };
    if (run.status === 'failed') {
      const retried = await portal.retry(taskId);
      run = await portal.finish(taskId, 600_000);
      retry = {
        status: retried.status,
        resumed: run.log.includes(
          'Skipping step register because it was already completed in a previous run',
        ),
      };
    }
    expect(ended).toEqual({
      status: expect.stringMatching(/^(completed|failed)$/),
      saysWhatToDo: true,
    });
    expect(retry).toEqual({ status: 201, resumed: true });
    expect(run.status).toBe('completed');
    await expectRunning(name, portal);

    // Rotating the database password with PostgreSQL down: refused, nothing written.
    const vault = new VaultClient(platformConfig().platform.vault);
    const ownPath = `services/${name}/env/staging`;
    const versionOf = async () =>
      (await vault.kv2('secret').readVersion(ownPath))?.version ?? 0;
    const rotateRoute = `/deployments/entities/component/default/${name}/environments/staging/secrets/rotate`;
    const rotate = async () => {
      const response = await fetch(`${portal.base}${rotateRoute}`, {
        method: 'POST',
        headers: portal.headers,
        body: JSON.stringify({ keys: ['DATABASE_PASSWORD'] }),
      });
      return { status: response.status, body: await response.json() };
    };
    const finished = (id: string) =>
      poll(
        `deployment ${id} to end`,
        async () => {
          const d = await get(portal, `/deployments/deployments/${id}`);
          return ['succeeded', 'failed', 'rolled-back'].includes(d.status)
            ? d
            : undefined;
        },
        600_000,
      );
    /** The login the pods are given (the environment's own, else the service-wide one). */
    const vaultUrl = async () =>
      (await vault.kv2('secret').readVersion(ownPath))?.data.DATABASE_URL ??
      (await vault.kv('secret', 2).read(`services/${name}/database`))!.data.url;
    const database_ = name.replace(/-/g, '_');
    /** The database `url` logs in to, once PostgreSQL (and its relay) answer again: up to 60 s. */
    const loginsTo = async (url: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          return await currentDatabaseOf(url);
        } catch (error) {
          const { code, message } = error as { code?: string; message: string };
          const notYet =
            ['ECONNREFUSED', 'ECONNRESET', '57P03'].includes(code ?? '') ||
            /Connection terminated/.test(message);
          if (!notYet || Date.now() > deadline) throw error;
          await new Promise(resolve => setTimeout(resolve, 1000));
        }
      }
    };

    const before = await versionOf();
    console.log('fault: PostgreSQL stops before a rotation');
    platformDown = true;
    await crashPostgres();
    const refused = await rotate();
    expect(refused.status).toBe(503);
    expect(refused.body.error.name).toBe('ServiceUnavailableError');
    expect(refused.body.error.message).toMatch(
      /PostgreSQL at \S+ is unreachable .*did not happen\. Start it .* run the same request again/,
    );
    expect(await versionOf()).toBe(before);
    await platform('up');
    platformDown = false;
    expect(await loginsTo(await vaultUrl())).toBe(database_);

    // A rotation after PostgreSQL is back: the environment's own login (the service-wide one
    // stays, production uses it).
    const first = await rotate();
    expect(first.status).toBe(202);
    expect(await finished(first.body.deploymentId)).toMatchObject({
      status: 'succeeded',
    });
    const firstUrl = await vaultUrl();
    expect(await loginsTo(firstUrl)).toBe(database_);

    // PostgreSQL stops while a rotation rolls out (the new login was made before Vault was
    // written): the pods' login is Vault's and PostgreSQL's alike; retiring the old one
    // waits, and the message says how to finish.
    const second = await rotate();
    expect(second.status).toBe(202);
    console.log('fault: PostgreSQL stops during a rotation');
    platformDown = true;
    await crashPostgres();
    const interrupted = await finished(second.body.deploymentId);
    await platform('up');
    platformDown = false;
    const secondUrl = await vaultUrl();
    expect(await loginsTo(secondUrl)).toBe(database_);
    // The pods' readiness does not need the database, so the restart itself succeeds.
    expect(secondUrl).not.toBe(firstUrl);
    expect(interrupted).toMatchObject({
      status: 'succeeded',
      message: expect.stringMatching(
        /still logs in: PostgreSQL at \S+ is unreachable.*rotate DATABASE_PASSWORD again once PostgreSQL is back/,
      ),
    });

    // The re-run: the pods get a new login, and the ones before it no longer log in.
    const rerun = await rotate();
    expect(rerun.status).toBe(202);
    expect(await finished(rerun.body.deploymentId)).toMatchObject({
      status: 'succeeded',
      message: expect.stringContaining('can no longer log in'),
    });
    const now = await vaultUrl();
    expect(await loginsTo(now)).toBe(database_);
    for (const old of [firstUrl, secondUrl]) {
      await expect(currentDatabaseOf(old)).rejects.toThrow(
        /password authentication failed|not permitted to log in/,
      );
    }
    await expectRunning(name, portal);
    await portal.stop();
  });
});
