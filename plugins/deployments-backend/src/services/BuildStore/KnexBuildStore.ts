import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { BuildStatus } from '@paved/plugin-deployments-common';
import { Knex } from 'knex';
import {
  BuildChange,
  BuildOutcome,
  BuildStore,
  NewBuild,
  StoredBuild,
} from './BuildStore';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-deployments-backend',
  'migrations',
);

type BuildRow = {
  seq: number | string;
  id: string;
  entity_ref: string;
  commit_sha: string;
  commit_message: string | null;
  commit_author: string | null;
  commit_time: string | null;
  status: BuildStatus;
  image: string | null;
  digest: string | null;
  message: string | null;
  started_at: string;
  finished_at: string | null;
  created_by: string;
  log: string;
  log_size: number | string;
  log_offset: number | string;
};

/** Every column but the log, for lists. */
const RECORD_COLUMNS = [
  'seq',
  'id',
  'entity_ref',
  'commit_sha',
  'commit_message',
  'commit_author',
  'commit_time',
  'status',
  'image',
  'digest',
  'message',
  'started_at',
  'finished_at',
  'created_by',
  'log_size',
  'log_offset',
] as const;

const orUndefined = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;

function toBuild(row: Omit<BuildRow, 'log'>): StoredBuild {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    commitSha: row.commit_sha,
    commitMessage: orUndefined(row.commit_message),
    commitAuthor: orUndefined(row.commit_author),
    commitTime: orUndefined(row.commit_time),
    status: row.status,
    image: orUndefined(row.image),
    digest: orUndefined(row.digest),
    message: orUndefined(row.message),
    startedAt: row.started_at,
    finishedAt: orUndefined(row.finished_at),
    createdBy: row.created_by,
    logSize: Number(row.log_size),
    logOffset: Number(row.log_offset),
  };
}

/**
 * `log` + `text` cut to its last `limit` characters, starting at a line
 * when one starts near the cut; `dropped` is how many characters went.
 */
export function keepLogTail(
  log: string,
  text: string,
  limit: number,
): { log: string; dropped: number } {
  const whole = log + text;
  if (whole.length <= limit) return { log: whole, dropped: 0 };
  let cut = whole.length - limit;
  const newline = whole.indexOf('\n', cut);
  if (newline >= 0 && newline - cut < 4096 && newline + 1 < whole.length) {
    cut = newline + 1;
  } else if (/[\udc00-\udfff]/.test(whole.charAt(cut))) {
    cut += 1; // not half a surrogate pair
  }
  return { log: whole.slice(cut), dropped: cut };
}

/** How many times a change is retried when another one changed the build first. */
const CHANGE_ATTEMPTS = 20;

/** {@link BuildStore} on the plugin's database (SQLite or PostgreSQL), through Knex. */
export class KnexBuildStore implements BuildStore {
  static async create(database: DatabaseService): Promise<KnexBuildStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new KnexBuildStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async insertBuild(
    build: NewBuild,
    options: { logLimit: number },
  ): Promise<void> {
    const kept = keepLogTail('', build.log, options.logLimit);
    await this.db('builds').insert({
      id: build.id,
      entity_ref: build.entityRef,
      commit_sha: build.commitSha,
      commit_message: build.commitMessage ?? null,
      commit_author: build.commitAuthor ?? null,
      commit_time: build.commitTime ?? null,
      status: build.status,
      image: build.image ?? null,
      digest: build.digest ?? null,
      message: build.message ?? null,
      started_at: build.startedAt,
      finished_at: build.finishedAt ?? null,
      created_by: build.createdBy,
      log: kept.log,
      log_size: build.log.length,
      log_offset: kept.dropped,
    });
  }

  async getBuild(id: string): Promise<StoredBuild | undefined> {
    const row = await this.db<BuildRow>('builds')
      .select(...RECORD_COLUMNS)
      .where({ id })
      .first();
    return row && toBuild(row);
  }

  async getBuildWithLog(
    id: string,
  ): Promise<{ build: StoredBuild; log: string } | undefined> {
    const row = await this.db<BuildRow>('builds').where({ id }).first();
    return row && { build: toBuild(row), log: row.log };
  }

  appendLog(
    id: string,
    text: string,
    options: { logLimit: number },
  ): Promise<BuildChange> {
    return this.change(id, text, options.logLimit, {});
  }

  finishBuild(
    id: string,
    outcome: BuildOutcome,
    options: { logLimit: number },
  ): Promise<BuildChange> {
    return this.change(id, outcome.log ?? '', options.logLimit, {
      status: outcome.status,
      finished_at: outcome.finishedAt,
      ...(outcome.image !== undefined && { image: outcome.image }),
      ...(outcome.digest !== undefined && { digest: outcome.digest }),
      ...(outcome.message !== undefined && { message: outcome.message }),
    });
  }

  async listBuilds(options: {
    entityRef: string;
    status?: BuildStatus;
    commitSha?: string;
    limit: number;
    cursor?: number;
  }): Promise<{ items: StoredBuild[]; nextCursor?: number }> {
    const query = this.db<BuildRow>('builds')
      .select(...RECORD_COLUMNS)
      .where({ entity_ref: options.entityRef })
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.status) query.where({ status: options.status });
    if (options.commitSha) {
      // SHAs are lowercase hex, so LIKE has no wildcard to escape.
      const sha = options.commitSha;
      query.where(inner =>
        inner
          .where('commit_sha', 'like', `${sha}%`)
          .orWhere(this.db.raw('? like commit_sha || ?', [sha, '%'])),
      );
    }
    if (options.cursor !== undefined) query.where('seq', '<', options.cursor);
    const rows = await query;
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toBuild),
      nextCursor:
        rows.length > options.limit
          ? Number(page[page.length - 1].seq)
          : undefined,
    };
  }

  /**
   * Appends `text` to a running build's log and sets `fields`, as one
   * compare-and-set on `log_size`, so that concurrent appends (two backend
   * instances, or a retrying builder) never lose text.
   */
  private async change(
    id: string,
    text: string,
    logLimit: number,
    fields: Record<string, string>,
  ): Promise<BuildChange> {
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
      const row = await this.db<BuildRow>('builds')
        .select('status', 'log', 'log_size', 'log_offset')
        .where({ id })
        .first();
      if (!row) return 'missing';
      if (row.status !== 'running') return 'finished';
      const kept = keepLogTail(row.log, text, logLimit);
      const updated = await this.db('builds')
        .where({ id, status: 'running', log_size: row.log_size })
        .update({
          ...fields,
          log: kept.log,
          log_size: Number(row.log_size) + text.length,
          log_offset: Number(row.log_offset) + kept.dropped,
        });
      if (updated === 1) return 'done';
    }
    throw new ConflictError(
      `Build ${id} is being changed by many requests at once; try again`,
    );
  }
}
