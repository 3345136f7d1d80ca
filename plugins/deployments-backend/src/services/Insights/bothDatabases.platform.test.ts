import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { KnexBuildStore } from '../BuildStore';
import { KnexDeploymentStore } from '../DeploymentStore';
import { DefaultInsightsService } from './InsightsService';
import { KnexInsightsStore } from './KnexInsightsStore';

// The same records give the same reports on SQLite and on PostgreSQL: a
// history written once through the stores into SQLite (every kind of record
// the figures tell apart), its `deployments` rows copied as they are into
// PostgreSQL, then every window and grouping read back from both. The
// figures' exact values are held by dora.test.ts and insights.platform.test.ts;
// this holds the two reads (the scan, its types, the times) to one another.

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});
if (!databases.supports('POSTGRES_15')) {
  throw new Error(
    'PostgreSQL is needed: run through scripts/test.sh (the platform) ' +
      'or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
  );
}

const NOW = Date.parse('2026-03-31T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SERVICES = 7; // service-6 is not in the catalog
const databaseOf = (knex: Knex) =>
  ({ getClient: async () => knex, migrations: { skip: false } } as any);

/** A fixed pseudo-random sequence, so both runs and every run write the same history. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * 120 days (across the 90-day window's start) of 7 services: builds with
 * canonical and offset commit times, images with no build, digests, failed
 * rollouts with automatic rollbacks (one of which fails itself), requested
 * rollbacks, secret-change restarts, deployments still rolling out, failures
 * with no recovery yet, and user agents of the portal and the CLI.
 */
async function writeHistory(knex: Knex) {
  const builds = await KnexBuildStore.create(databaseOf(knex));
  const deployments = await KnexDeploymentStore.create(databaseOf(knex));
  const random = sequence(15);
  const limit = { logLimit: 1000 };
  const finished = new Map<string, string>();
  const last = new Map<number, string>();
  for (let i = 0; i < 420; i++) {
    const service = Math.floor(random() * SERVICES);
    const entityRef = `component:default/service-${service}`;
    const created = NOW - 120 * DAY + Math.floor(i * (120 / 420) * DAY);
    const sha = `${i}`.padStart(8, '0').repeat(5);
    const image = `registry.paved.local/service-${service}:${sha}`;
    const digest = `sha256:${sha}${sha.slice(0, 24)}`;
    const kind = random();
    if (kind > 0.08) {
      const buildId = `build-${i}`;
      const commit = created - Math.floor(random() * 3 * DAY);
      await builds.insertBuild(
        {
          id: buildId,
          entityRef,
          commitSha: sha,
          // Git's own form now and then (an offset, no milliseconds).
          commitTime:
            i % 9 === 4
              ? `${new Date(commit + 3600_000)
                  .toISOString()
                  .slice(0, 19)}+01:00`
              : new Date(commit).toISOString(),
          status: 'running',
          startedAt: new Date(commit + MINUTE).toISOString(),
          createdBy: 'paved-builder',
          log: 'built\n',
        },
        limit,
      );
      await builds.finishBuild(
        buildId,
        {
          status: 'succeeded',
          image,
          digest,
          finishedAt: new Date(commit + 5 * MINUTE).toISOString(),
        },
        limit,
      );
    }
    const id = `d-${i}`;
    let status: 'rolling-out' | 'failed' | 'succeeded' = 'succeeded';
    if (i >= 415 && i % 2) status = 'rolling-out';
    else if (random() < 0.12 || i >= 412) status = 'failed';
    await deployments.insertDeployment({
      id,
      entityRef,
      environment: i % 17 === 3 ? 'staging' : 'production',
      namespace: `service-${service}-production`,
      workload: `service-${service}`,
      image:
        i % 10 === 3
          ? `registry.paved.local/service-${service}@${digest}`
          : image,
      status: 'rolling-out',
      requestedBy: 'user:default/alice',
      createdAt: new Date(created).toISOString(),
      userAgent: i % 3 ? 'Mozilla/5.0' : 'paved-cli/1.0',
      ...(i % 23 === 5
        ? { secretChange: { version: 2, changes: [] } as any }
        : {}),
    });
    if (status !== 'rolling-out') {
      await deployments.finishDeployment(id, { status, message: status });
      finished.set(
        id,
        new Date(created + (2 + (i % 13)) * MINUTE).toISOString(),
      );
    }
    // Failed rollouts rolled back by themselves (every 7th rollback fails);
    // now and then a good one rolled back on request.
    let rollback: { rollbackOf: string } | { reverts: string } | undefined;
    if (status === 'failed' && i < 412) rollback = { rollbackOf: id };
    else if (status === 'succeeded' && random() < 0.06) {
      rollback = { reverts: last.get(service) ?? id };
    }
    if (rollback) {
      const rollbackId = `r-${i}`;
      await deployments.insertDeployment({
        id: rollbackId,
        entityRef,
        environment: 'production',
        namespace: `service-${service}-production`,
        workload: `service-${service}`,
        image: `registry.paved.local/service-${service}:previous`,
        status: 'rolling-out',
        requestedBy: 'paved:automatic',
        createdAt: new Date(created + 20 * MINUTE).toISOString(),
        ...rollback,
      });
      const rollbackStatus = i % 7 === 2 ? 'failed' : 'succeeded';
      await deployments.finishDeployment(rollbackId, {
        status: rollbackStatus,
        message: rollbackStatus,
      });
      finished.set(
        rollbackId,
        new Date(created + (25 + (i % 5)) * MINUTE).toISOString(),
      );
    }
    last.set(service, id);
  }
  // The stores stamp the finish with the clock; the history's own times instead.
  for (const [id, at] of finished) {
    await knex('deployments').where({ id }).update({ finished_at: at });
  }
}

const components = Array.from({ length: SERVICES - 1 }, (_, i) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: `service-${i}`,
    namespace: 'default',
    annotations: i % 2 ? { 'paved.dev/golden-path': 'true' } : {},
  },
  spec: {
    type: 'service',
    owner: `group:default/team-${i % 3}`,
    ...(i < 4 ? { system: `system:default/shop-${i % 2}` } : {}),
  },
}));

function serviceOn(knex: Knex) {
  return new DefaultInsightsService({
    store: new KnexInsightsStore(knex),
    catalog: { getEntities: async () => ({ items: components }) } as any,
    auth: { getOwnServiceCredentials: async () => ({}) } as any,
    permissions: { authorize: async () => [{ result: 'ALLOW' }] } as any,
    productionEnvironment: 'production',
    templateRuns: { listRuns: async () => [] },
    now: () => new Date(NOW),
  });
}

describe('the insights on SQLite and on PostgreSQL', () => {
  it('give the same DORA and adoption reports for the same records', async () => {
    const sqlite = await databases.init('SQLITE_3');
    const pg = await databases.init('POSTGRES_15');
    await writeHistory(sqlite);
    await KnexDeploymentStore.create(databaseOf(pg));
    const rows = await sqlite('deployments').select();
    expect(rows.length).toBeGreaterThan(440);
    await pg.batchInsert('deployments', rows, 100);
    expect(
      (await pg('deployments').orderBy('id')).map(r => [r.id, r.finished_at]),
    ).toEqual(
      (await sqlite('deployments').orderBy('id')).map(r => [
        r.id,
        r.finished_at,
      ]),
    );

    const caller = { credentials: {} } as any;
    const [onSqlite, onPg] = [serviceOn(sqlite), serviceOn(pg)];
    const queries = ([7, 30, 90] as const).flatMap(window => [
      ...(['organisation', 'team', 'system', 'service'] as const).map(
        groupBy => ({ window, groupBy }),
      ),
      { window, entityRef: 'component:default/service-2' },
      { window, entityRef: 'component:default/service-6' },
    ]);
    for (const query of queries) {
      const [a, b] = await Promise.all([
        onSqlite.dora(query, caller),
        onPg.dora(query, caller),
      ]);
      expect([query, b]).toEqual([query, a]);
    }
    for (const window of [7, 30, 90] as const) {
      expect(await onPg.adoption({ window }, caller)).toEqual(
        await onSqlite.adoption({ window }, caller),
      );
    }

    // The history has every kind of record the figures tell apart.
    const { figures } = (
      await onPg.dora({ window: 90, groupBy: 'organisation' }, caller)
    ).groups[0];
    expect(figures.deploymentFrequency.count).toBeGreaterThan(250);
    expect(figures.changeFailureRate.failed).toBeGreaterThan(20);
    expect(figures.recoveryTime.samples.length).toBeGreaterThan(20);
    expect(
      figures.recoveryTime.unrecoveredDeploymentIds.length,
    ).toBeGreaterThan(0);
    expect(
      figures.leadTime.samples.some(s => s.commitTime.endsWith('+01:00')),
    ).toBe(true);
  });
});
