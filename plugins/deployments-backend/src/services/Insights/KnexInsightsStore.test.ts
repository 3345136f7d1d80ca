import { testDatabase } from '../../__testUtils__/database';
import { KnexBuildStore } from '../BuildStore';
import { KnexDeploymentStore, StoredDeployment } from '../DeploymentStore';
import { KnexInsightsStore } from './KnexInsightsStore';

// The insights' scan on SQLite, rows written through the plugin's own stores
// (PostgreSQL: insights.platform.test.ts).

const ORDERS = 'component:default/orders-api';
const SHA = 'abcdef1234567890abcdef1234567890abcdef12';
const DIGEST = `sha256:${'a'.repeat(64)}`;

const deployment = (
  id: string,
  overrides: Partial<StoredDeployment>,
): StoredDeployment => ({
  id,
  entityRef: ORDERS,
  environment: 'production',
  namespace: 'orders-api-production',
  workload: 'orders-api',
  image: `registry.paved.local/orders-api:${SHA}`,
  status: 'rolling-out',
  requestedBy: 'user:default/hannah-kim',
  createdAt: '2026-03-10T12:00:00.000Z',
  ...overrides,
});

describe('KnexInsightsStore', () => {
  it('reads an environment since a time, with the commit of each image by image or digest', async () => {
    const { database } = await testDatabase();
    const deployments = await KnexDeploymentStore.create(database);
    const builds = await KnexBuildStore.create(database);
    const insights = await KnexInsightsStore.create(database);
    const limit = { logLimit: 1000 };
    await builds.insertBuild(
      {
        id: 'b1',
        entityRef: ORDERS,
        commitSha: SHA,
        commitTime: '2026-03-10T11:00:00.000Z',
        status: 'running',
        startedAt: '2026-03-10T11:01:00.000Z',
        createdBy: 'paved-builder',
        log: '',
      },
      limit,
    );
    await builds.finishBuild(
      'b1',
      {
        status: 'succeeded',
        image: `registry.paved.local/orders-api:${SHA}`,
        digest: DIGEST,
        finishedAt: '2026-03-10T11:05:00.000Z',
      },
      limit,
    );
    await deployments.insertDeployment(
      deployment('old', { createdAt: '2026-03-01T00:00:00.000Z' }),
    );
    await deployments.insertDeployment(
      deployment('by-tag', { userAgent: 'paved-cli/1.0' }),
    );
    await deployments.finishDeployment('by-tag', {
      status: 'succeeded',
      message: 'done',
    });
    await deployments.insertDeployment(
      deployment('by-digest', {
        image: `registry.paved.local/orders-api@${DIGEST}`,
        createdAt: '2026-03-10T13:00:00.000Z',
        reverts: 'by-tag',
      }),
    );
    await deployments.insertDeployment(
      deployment('staging', { environment: 'staging' }),
    );
    await deployments.insertDeployment(
      deployment('secret', {
        image: 'registry.paved.local/orders-api:unbuilt',
        createdAt: '2026-03-11T00:00:00.000Z',
        secretChange: { version: 2, changes: [] },
      }),
    );

    const rows = await insights.listDeployments({
      environment: 'production',
      since: '2026-03-05T00:00:00.000Z',
      userAgents: true,
    });
    expect(rows.map(r => r.id).sort()).toEqual([
      'by-digest',
      'by-tag',
      'secret',
    ]);
    const byId = new Map(rows.map(r => [r.id, r]));
    expect(byId.get('by-tag')).toMatchObject({
      status: 'succeeded',
      commitTime: '2026-03-10T11:00:00.000Z',
      commitSha: SHA,
      userAgent: 'paved-cli/1.0',
      secretChange: false,
    });
    expect(byId.get('by-tag')!.finishedAt).toBeDefined();
    expect(byId.get('by-digest')).toMatchObject({
      commitTime: '2026-03-10T11:00:00.000Z',
      commitSha: SHA,
      reverts: 'by-tag',
    });
    expect(byId.get('secret')).toMatchObject({ secretChange: true });
    expect(byId.get('secret')!.commitTime).toBeUndefined();
    // DORA's read leaves the user agents out.
    const lean = await insights.listDeployments({
      environment: 'production',
      since: '2026-03-05T00:00:00.000Z',
    });
    expect(lean.map(r => r.userAgent)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(
      await insights.listDeployments({
        environment: 'production',
        since: '2026-03-05T00:00:00.000Z',
        entityRefs: ['component:default/other'],
      }),
    ).toEqual([]);
  });

  it('fills in the commit of deployments made before their commit was kept (the migration)', async () => {
    const { database, knex } = await testDatabase();
    const builds = await KnexBuildStore.create(database);
    const deployments = await KnexDeploymentStore.create(database);
    const limit = { logLimit: 1000 };
    await builds.insertBuild(
      {
        id: 'b1',
        entityRef: ORDERS,
        commitSha: SHA,
        commitTime: '2026-03-10T11:00:00.000Z',
        status: 'running',
        startedAt: '2026-03-10T11:05:00.000Z',
        createdBy: 'paved-builder',
        log: '',
      },
      limit,
    );
    await builds.finishBuild(
      'b1',
      {
        status: 'succeeded',
        image: `registry.paved.local/orders-api:${SHA}`,
        digest: DIGEST,
        finishedAt: '2026-03-10T11:10:00.000Z',
      },
      limit,
    );
    // Back to the schema before it, and deployments as they were written then.
    const migrations = { directory: `${__dirname}/../../../migrations` };
    await knex.migrate.down({
      ...migrations,
      name: '20261216000000_deployment_commit.js',
    });
    expect(await knex.schema.hasColumn('deployments', 'commit_time')).toBe(
      false,
    );
    const row = (id: string, image: string) => ({
      id,
      entity_ref: ORDERS,
      environment: 'production',
      namespace: 'orders-api-production',
      workload: 'orders-api',
      image,
      status: 'succeeded',
      requested_by: 'user:default/hannah-kim',
      created_at: '2026-03-10T12:00:00.000Z',
    });
    await knex('deployments').insert([
      row('by-tag', `registry.paved.local/orders-api:${SHA}`),
      row('by-digest', `registry.paved.local/orders-api@${DIGEST}`),
      row('unbuilt', 'registry.paved.local/orders-api:unbuilt'),
    ]);
    await knex.migrate.latest(migrations);
    const insights = await KnexInsightsStore.create(database);
    const byId = new Map(
      (
        await insights.listDeployments({ since: '2026-03-01T00:00:00.000Z' })
      ).map(r => [r.id, r]),
    );
    expect(byId.get('by-tag')).toMatchObject({
      commitTime: '2026-03-10T11:00:00.000Z',
      commitSha: SHA,
    });
    expect(byId.get('by-digest')).toMatchObject({ commitSha: SHA });
    expect(byId.get('unbuilt')!.commitSha).toBeUndefined();
    // A deployment made now records its commit itself.
    await deployments.insertDeployment(deployment('new', {}));
    expect(
      (await knex('deployments').where('id', 'new').first()).commit_sha,
    ).toBe(SHA);
  });
});
