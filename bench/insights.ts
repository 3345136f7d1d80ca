/*
 * Insights benchmark (bench/insights.sh runs it): the DORA query of the
 * Insights page for the whole organisation over 90 days, on SQLite (a file on
 * disk, as the portal's default) and on PostgreSQL.
 *
 *  1. Writes SERVICES services' history through the plugin's own stores
 *     (KnexBuildStore: a build per deployment; KnexDeploymentStore: insert,
 *     then finish): DEPLOYMENTS production deployments spread over the last 90
 *     days, 1 in 20 failed and rolled back automatically, 1 in 50 rolled back
 *     on request, 1 in 10 by digest.
 *  2. Times RUNS times (after 3 warm-ups) what GET /insights/dora?window=90
 *     does, less HTTP: DefaultInsightsService's report (the scan by
 *     KnexInsightsStore, the figures, the weekly trend) and its JSON, for the
 *     organisation and then per team (10 teams).
 *
 *  --sqlite-file FILE keeps the SQLite database there and, when it exists,
 *  times it without writing the history again. --pg-reuse does the same on
 *  PostgreSQL (a server of your own, e.g. to time two versions of the code on
 *  the same rows: bench/insights.sh drops its server at exit).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/insights.ts \
 *     --pg-url postgresql://postgres@127.0.0.1:25832/postgres --work /tmp/dir
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type * as Insights from '../plugins/deployments-backend/src/services/Insights';

// The plugin's TypeScript through the backend's require hook (CommonJS).
const require = createRequire(import.meta.url);
const createKnex: typeof import('knex').knex = require('knex').knex;
const {
  KnexBuildStore,
} = require('../plugins/deployments-backend/src/services/BuildStore');
const {
  KnexDeploymentStore,
} = require('../plugins/deployments-backend/src/services/DeploymentStore');
const {
  DefaultInsightsService,
  KnexInsightsStore,
}: typeof Insights = require('../plugins/deployments-backend/src/services/Insights');

const { values: args } = parseArgs({
  options: {
    'pg-url': { type: 'string' },
    work: { type: 'string', default: '/tmp/paved-bench-insights' },
    'sqlite-file': { type: 'string' },
    'pg-reuse': { type: 'boolean', default: false },
  },
});
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 20000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const DAY = 24 * 3600 * 1000;

const log = (msg: string) =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`,
  );
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[
    Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  ];
};

function databaseOf(knex: Knex) {
  return { getClient: async () => knex, migrations: { skip: false } } as any;
}

async function seed(knex: Knex) {
  const database = databaseOf(knex);
  const builds = await KnexBuildStore.create(database);
  const deployments = await KnexDeploymentStore.create(database);
  const now = Date.now();
  const limit = { logLimit: 1024 };
  const started = performance.now();
  const last = new Map<number, string>();
  const one = async (i: number) => {
    const service = i % SERVICES;
    const entityRef = `component:default/service-${service}`;
    // Oldest first, spread evenly over 90 days.
    const createdMs =
      now - 90 * DAY + Math.floor(((i + 0.5) * 90 * DAY) / DEPLOYMENTS);
    const sha = randomUUID().replace(/-/g, '').padEnd(40, '0');
    const digest = `sha256:${sha}${sha.slice(0, 24)}`;
    const image = `registry.paved.local/service-${service}:${sha}`;
    const buildId = randomUUID();
    await builds.insertBuild(
      {
        id: buildId,
        entityRef,
        commitSha: sha,
        commitTime: new Date(createdMs - 3600_000).toISOString(),
        status: 'running',
        startedAt: new Date(createdMs - 3000_000).toISOString(),
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
        finishedAt: new Date(createdMs - 2400_000).toISOString(),
      },
      limit,
    );
    const id = randomUUID();
    const failed = i % 20 === 7;
    const reverted = i % 50 === 11;
    await deployments.insertDeployment({
      id,
      entityRef,
      environment: 'production',
      namespace: `service-${service}-production`,
      workload: `service-${service}`,
      image:
        i % 10 === 3
          ? `registry.paved.local/service-${service}@${digest}`
          : image,
      status: 'rolling-out',
      requestedBy: 'user:default/bench',
      createdAt: new Date(createdMs).toISOString(),
      userAgent: i % 3 ? 'Mozilla/5.0' : 'paved-cli/1.0',
    });
    await deployments.finishDeployment(id, {
      status: failed ? 'failed' : 'succeeded',
      message: failed ? 'crash loop' : 'rolled out',
    });
    if (failed || reverted) {
      const rollback = randomUUID();
      await deployments.insertDeployment({
        id: rollback,
        entityRef,
        environment: 'production',
        namespace: `service-${service}-production`,
        workload: `service-${service}`,
        image: `registry.paved.local/service-${service}:previous`,
        status: 'rolling-out',
        requestedBy: failed ? 'paved:automatic' : 'user:default/bench',
        createdAt: new Date(createdMs + 60_000).toISOString(),
        ...(failed ? { rollbackOf: id } : { reverts: last.get(service) ?? id }),
      });
      await deployments.finishDeployment(rollback, {
        status: 'succeeded',
        message: 'rolled back',
      });
    }
    last.set(service, id);
  };
  // In order per service; 20 services at a time.
  for (let i = 0; i < DEPLOYMENTS; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, DEPLOYMENTS - i) }, (_, k) =>
        one(i + k),
      ),
    );
    if ((i / 20) % 250 === 0) log(`${i} of ${DEPLOYMENTS} deployments written`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * What `GET /insights/dora?window=90` does, less HTTP: the service's report
 * for the organisation (its figures and weekly trend), and per team, each
 * turned into its JSON. The catalog and the permission decision are given
 * (the organisation's report asks neither the catalog nor, here, a policy).
 */
async function measure(knex: Knex) {
  const timed = await KnexInsightsStore.create(databaseOf(knex));
  let scanMs = 0;
  let rows = 0;
  const store: Insights.InsightsStore = {
    listDeployments: async options => {
      const t = performance.now();
      const list = await timed.listDeployments(options);
      scanMs = performance.now() - t;
      rows = list.length;
      return list;
    },
  };
  const components = Array.from({ length: SERVICES }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: `service-${i}`, namespace: 'default' },
    spec: { type: 'service', owner: `group:default/team-${i % 10}` },
  }));
  const service = new DefaultInsightsService({
    store,
    catalog: { getEntities: async () => ({ items: components }) } as any,
    auth: { getOwnServiceCredentials: async () => ({}) } as any,
    permissions: { authorize: async () => [{ result: 'ALLOW' }] } as any,
    productionEnvironment: 'production',
    templateRuns: { listRuns: async () => [] },
  });
  const caller = { credentials: {} } as any;
  const result = {
    organisation: {
      times: [] as number[],
      scans: [] as number[],
      cpus: [] as number[],
      bytes: 0,
    },
    team: {
      times: [] as number[],
      scans: [] as number[],
      cpus: [] as number[],
      bytes: 0,
    },
  };
  let figures: Insights.DoraFigures | undefined;
  for (let run = 0; run < RUNS + 3; run++) {
    for (const by of ['organisation', 'team'] as const) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const report = await service.dora({ window: 90, groupBy: by }, caller);
      const json = JSON.stringify(report);
      if (run >= 3) {
        const r = result[by];
        r.times.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        r.cpus.push((cpu.user + cpu.system) / 1000);
        r.scans.push(scanMs);
        r.bytes = json.length;
      }
      if (by === 'organisation') figures = report.groups[0].figures;
    }
  }
  return { result, rows, figures: figures! };
}

async function main() {
  fs.mkdirSync(args.work!, { recursive: true });
  const targets: Array<[string, () => Knex]> = [
    [
      'SQLite (file)',
      () =>
        createKnex({
          client: 'better-sqlite3',
          connection: {
            filename:
              args['sqlite-file'] ??
              path.join(args.work!, `insights-${Date.now()}.sqlite`),
          },
          useNullAsDefault: true,
          // Writing 20,000 histories with a sync per statement takes half an hour;
          // the reads timed are the same either way.
          pool: {
            afterCreate: (
              conn: any,
              done: (e: unknown, c: unknown) => void,
            ) => {
              conn.pragma('journal_mode = WAL');
              conn.pragma('synchronous = OFF');
              done(null, conn);
            },
          },
        }),
    ],
  ];
  if (args['pg-url']) {
    targets.push([
      'PostgreSQL 15',
      () =>
        createKnex({
          client: 'pg',
          connection: args['pg-url'],
          pool: { min: 1, max: 10 },
        }),
    ]);
  }
  const lines: string[] = [];
  for (const [name, make] of targets) {
    const knex = make();
    const reuse = name.startsWith('SQLite')
      ? !!args['sqlite-file'] && (await knex.schema.hasTable('deployments'))
      : args['pg-reuse'] && (await knex.schema.hasTable('deployments'));
    if (name.startsWith('PostgreSQL') && !reuse) {
      for (const table of [
        'deployments',
        'deployment_locks',
        'approvals',
        'audit_events',
        'builds',
        'knex_migrations',
        'knex_migrations_lock',
      ])
        await knex.schema.dropTableIfExists(table);
    }
    log(
      `${name}: writing ${DEPLOYMENTS} deployments of ${SERVICES} services through the stores`,
    );
    const seedS = reuse ? 0 : await seed(knex);
    log(`${name}: timing ${RUNS} runs`);
    const { result, rows, figures } = await measure(knex);
    for (const by of ['organisation', 'team'] as const) {
      const { times, scans, cpus, bytes } = result[by];
      lines.push(
        `| ${name} | ${by} | ${rows} | ${pct(times, 50).toFixed(0)} ms | ${pct(
          times,
          95,
        ).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms | ${pct(
          scans,
          95,
        ).toFixed(0)} ms | ${pct(cpus, 95).toFixed(0)} ms | ${(
          bytes / 1024
        ).toFixed(0)} KiB | ${seedS.toFixed(0)} s | ` +
          `${figures.deploymentFrequency.count} deploys, CFR ${(
            figures.changeFailureRate.rate! * 100
          ).toFixed(1)} %, ${
            figures.recoveryTime.medianSeconds
          } s median recovery |`,
      );
    }
    await knex.destroy();
  }
  console.log(
    `\nDORA for the organisation over 90 days: ${SERVICES} services, ${DEPLOYMENTS} deployments (+ rollbacks), ${RUNS} runs\n`,
  );
  console.log(
    '| Database | Report | Rows scanned | p50 | p95 | max | p95 of the scan alone | p95 CPU time of this process | JSON | Writing the rows | Figures |',
  );
  console.log(
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const line of lines) console.log(line);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
