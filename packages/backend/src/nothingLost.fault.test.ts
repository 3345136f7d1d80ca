import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { VaultClient } from '@paved/plugin-provisioning-node';
import {
  freePort,
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  expectDatabaseWiredToStaging,
  removeProvisionedService,
  startGoldenPathBackend,
} from './__testUtils__/createServiceRun';
import {
  currentDatabaseOf,
  platformConfig,
  poll,
  repoRoot,
} from './__testUtils__/helpers';
import { startTestBuilder, TestBuilder } from './__testUtils__/testBuilder';

// Nothing is lost on a restart (issue 12). A service made by Create Service and deployed is
// still all there after the portal and every part of the local platform were stopped and
// started again: the portal runs on SQLite on disk (the embedded default of `npm start`), the
// platform is taken down and brought up with scripts/platform/platform.sh, Vault (OpenBao in
// server mode) included. Real parts only; this file stops the whole platform, so it is named
// *.fault.test.ts: scripts/test.sh runs those alone, after the other tests (stage "Fault tests").

const exec = promisify(execFile);
const owner = 'group:default/storefront-team';

/** `platform.sh down|up` of the platform the tests run on (scripts/test.sh's environment). */
async function platform(command: 'down' | 'up' | 'status') {
  if (!process.env.PAVED_ROOT || !process.env.PAVED_RUN) {
    throw new Error(
      'PAVED_ROOT and PAVED_RUN are not set: run this test through `npm test` (scripts/test.sh), which starts the test platform',
    );
  }
  const { stdout } = await exec(
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
  return stdout;
}

describe('a restart of the portal and of every platform part', () => {
  let remote: TestGitRemote;
  let builder: TestBuilder;
  let databaseDir: string;
  let name: string | undefined;

  beforeAll(async () => {
    const gitPort = await freePort();
    builder = await startTestBuilder({ gitUrl: `http://127.0.0.1:${gitPort}` });
    remote = await startTestGitRemote({
      builderUrl: builder.url,
      port: gitPort,
    });
    databaseDir = await mkdtemp(path.join(os.tmpdir(), 'paved-restart-db-'));
  }, 120_000);
  afterAll(async () => {
    if (name) await removeProvisionedService(name, owner);
    await remote?.stop();
    await builder?.stop();
    if (databaseDir) await rm(databaseDir, { recursive: true, force: true });
  }, 300_000);

  it('keeps the entity, its deployment history, audit and Vault credentials, and deploys again', async () => {
    // The embedded default: one SQLite file per plugin in a directory on disk.
    const database = {
      client: 'better-sqlite3',
      connection: { directory: databaseDir },
    };
    let portal = await startGoldenPathBackend({
      database,
      gitRemoteBaseUrl: remote.baseUrl,
      builder,
    });
    name = `keep-${randomBytes(3).toString('hex')}`;
    const taskId = (
      await (
        await portal.createTask({
          name,
          owner,
          description: 'Survives restarts',
          language: 'python',
          database: 'postgres',
          tier: 'experimental',
        })
      ).json()
    ).id;
    const run = await portal.finish(taskId);
    expect(run.log).toContain('Run completed with status: completed');
    expect(run.status).toBe('completed');
    expect((await readdir(databaseDir)).sort()).toEqual(
      expect.arrayContaining(['catalog.sqlite', 'deployments.sqlite']),
    );

    const ref = `component/default/${name}`;
    const get = async (route: string) => {
      const response = await fetch(`${portal.base}${route}`, {
        headers: portal.headers,
      });
      if (!response.ok) {
        throw new Error(`GET ${route} answered ${response.status}`);
      }
      return response.json();
    };
    const snapshot = async () => ({
      entity: await get(`/catalog/entities/by-name/${ref}`),
      // The location Create Service registered (catalog:register), and its task.
      location: (await get('/catalog/locations'))
        .map((l: any) => l.data)
        .find((l: any) => l.target.includes(`/paved/${name}/`)),
      task: await get(`/scaffolder/v2/tasks/${taskId}`),
      history: (await get(`/deployments/entities/${ref}/deployments`)).items,
      audit: (await get(`/deployments/entities/${ref}/audit-events`)).items,
      builds: (await get(`/deployments/entities/${ref}/builds`)).items,
    });
    const before = await snapshot();
    expect(before.history).toEqual([
      expect.objectContaining({ environment: 'staging', status: 'succeeded' }),
    ]);
    expect(before.audit.length).toBeGreaterThan(0);
    expect(before.location).toMatchObject({ type: 'url' });
    expect(before.task.status).toBe('completed');
    const vault = () => new VaultClient(platformConfig().platform.vault);
    const secretsBefore = {
      database: await vault().kv('secret', 2).read(`services/${name}/database`),
      app: await vault().kv('secret', 2).read(`services/${name}/app`),
    };
    expect(secretsBefore.database?.data.password).toEqual(expect.any(String));
    expect(secretsBefore.app?.data.SESSION_SECRET).toEqual(expect.any(String));

    // Stop the portal, then every platform part; start them again.
    await portal.stop();
    await platform('down');
    const down = await platform('status');
    expect(down).toMatch(/^vault \S+ \S+ down$/m);
    expect(down).toMatch(/^postgres\s.*\sdown$/m);
    await platform('up');
    expect(await platform('status')).toMatch(/^vault \S+ \S+ healthy$/m);

    portal = await startGoldenPathBackend({
      database,
      gitRemoteBaseUrl: remote.baseUrl,
      builder,
    });
    const after = await snapshot();
    expect(after.entity.metadata.uid).toBe(before.entity.metadata.uid);
    expect(after.entity.metadata.annotations).toEqual(
      before.entity.metadata.annotations,
    );
    expect(after.history).toEqual(before.history);
    expect(after.audit).toEqual(before.audit);
    expect(after.builds).toEqual(before.builds);
    expect(after.location).toEqual(before.location);
    expect(after.task).toEqual(before.task);

    // Vault kept every credential (same values, same versions), and they still log in.
    const secretsAfter = {
      database: await vault().kv('secret', 2).read(`services/${name}/database`),
      app: await vault().kv('secret', 2).read(`services/${name}/app`),
    };
    expect(secretsAfter).toEqual(secretsBefore);
    // They name the host the pods reach (the node's relay, docs/decisions/0018), and log in
    // through it, by password, once the platform is back.
    expect(secretsAfter.database!.data.host).toBe(
      (platformConfig().moduleDefaults['postgres-database'] as { host: string })
        .host,
    );
    expect(await currentDatabaseOf(secretsAfter.database!.data.url)).toBe(
      name.replace(/-/g, '_'),
    );

    // A deploy works: the same image again, through the deployments API.
    const image = before.history[0].image;
    const accepted = await fetch(`${portal.base}/deployments/deployments`, {
      method: 'POST',
      headers: portal.headers,
      body: JSON.stringify({
        entityRef: `component:default/${name}`,
        environment: 'staging',
        image,
      }),
    });
    expect(accepted.status).toBe(202);
    const { id } = await accepted.json();
    const finished = await poll(
      'the deploy after the restart to finish',
      async () => {
        const d = await get(`/deployments/deployments/${id}`);
        return ['succeeded', 'failed', 'rolled-back'].includes(d.status)
          ? d
          : undefined;
      },
      300_000,
    );
    expect(finished).toMatchObject({ status: 'succeeded', image });
    const history = (await get(`/deployments/entities/${ref}/deployments`))
      .items;
    expect(history).toHaveLength(2);
    await expectDatabaseWiredToStaging(name);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(platformConfig().platform.kubeconfig);
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name, namespace: `${name}-staging` });
    expect(deployment.status?.availableReplicas).toBe(1);
    await portal.stop();
  }, 1_500_000);
});
