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
 *  2. Times RUNS times (after 3 warm-ups) what GET /insights/dora does: the
 *     scan (KnexInsightsStore), the organisation's figures, its weekly trend
 *     and the figures per team (10 teams).
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
  computeDora,
  groupBy,
  KnexInsightsStore,
  weeklyTrend,
  windowOf,
}: typeof Insights = require('../plugins/deployments-backend/src/services/Insights');

const { values: args } = parseArgs({
  options: {
    'pg-url': { type: 'string' },
    work: { type: 'string', default: '/tmp/paved-bench-insights' },
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

async function measure(knex: Knex) {
  const store = await KnexInsightsStore.create(databaseOf(knex));
  const teamOf = (ref: string) =>
    `group:default/team-${Number(ref.split('-').pop()) % 10}`;
  const times: number[] = [];
  const scans: number[] = [];
  const cpus: number[] = [];
  let rows = 0;
  let figures: Insights.DoraFigures | undefined;
  for (let run = 0; run < RUNS + 3; run++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const window = windowOf(90, new Date());
    const deployments = await store.listDeployments({
      environment: 'production',
      since: window.from,
    });
    const scanned = performance.now();
    figures = computeDora(deployments, window);
    weeklyTrend(deployments, window);
    for (const list of groupBy(deployments, teamOf).values())
      computeDora(list, window);
    if (run >= 3) {
      times.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      scans.push(scanned - t0);
    }
    rows = deployments.length;
  }
  return { times, scans, cpus, rows, figures: figures! };
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
            filename: path.join(args.work!, `insights-${Date.now()}.sqlite`),
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
    if (name.startsWith('PostgreSQL')) {
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
    const seedS = await seed(knex);
    log(`${name}: timing ${RUNS} runs`);
    const { times, scans, cpus, rows, figures } = await measure(knex);
    lines.push(
      `| ${name} | ${rows} | ${pct(times, 50).toFixed(0)} ms | ${pct(
        times,
        95,
      ).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms | ${pct(
        scans,
        95,
      ).toFixed(0)} ms | ${pct(cpus, 95).toFixed(0)} ms | ${seedS.toFixed(
        0,
      )} s | ` +
        `${figures.deploymentFrequency.count} deploys, CFR ${(
          figures.changeFailureRate.rate! * 100
        ).toFixed(1)} %, ${figures.recoveryTime.samples.length} recoveries |`,
    );
    await knex.destroy();
  }
  console.log(
    `\nDORA for the organisation over 90 days: ${SERVICES} services, ${DEPLOYMENTS} deployments (+ rollbacks), ${RUNS} runs\n`,
  );
  console.log(
    '| Database | Rows scanned | p50 | p95 | max | p95 of the scan alone | p95 CPU time of this process | Writing the rows | Figures |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const line of lines) console.log(line);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
