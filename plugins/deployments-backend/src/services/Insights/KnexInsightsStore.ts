import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { InsightsDeployment, InsightsStore } from './InsightsStore';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-deployments-backend',
  'migrations',
);

type Row = {
  id: string;
  entity_ref: string;
  status: InsightsDeployment['status'];
  created_at: string;
  finished_at: string | null;
  rollback_of: string | null;
  reverts: string | null;
  secret_change: number | string | boolean;
  user_agent?: string | null;
  commit_time: string | null;
  commit_sha: string | null;
};

/**
 * The insights' scan of the deployments table (SQLite or PostgreSQL): one
 * indexed range read of an environment's deployments
 * (`deployments_env_created_idx`), each with the commit of its image as the
 * deployment store recorded it from the build when the deployment was made
 * (no join at read time: docs/decisions/0021, "Speed").
 */
export class KnexInsightsStore implements InsightsStore {
  static async create(database: DatabaseService): Promise<KnexInsightsStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new KnexInsightsStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async listDeployments(options: {
    environment?: string;
    since: string;
    entityRefs?: string[];
    userAgents?: boolean;
  }): Promise<InsightsDeployment[]> {
    // Only the columns the figures read: decoding the rows is most of the
    // scan's time on PostgreSQL (docs/benchmarks.md).
    const query = this.db('deployments')
      .select(
        'id',
        'entity_ref',
        'status',
        'created_at',
        'finished_at',
        'rollback_of',
        'reverts',
        ...(options.userAgents ? ['user_agent'] : []),
        this.db.raw(
          'case when secret_change is null then 0 else 1 end as secret_change',
        ),
        'commit_time',
        'commit_sha',
      )
      .where('created_at', '>=', options.since);
    if (options.environment) query.andWhere('environment', options.environment);
    if (options.entityRefs) {
      if (options.entityRefs.length === 0) return [];
      query.whereIn('entity_ref', options.entityRefs);
    }
    const rows: Row[] = await query;
    return rows.map(r => ({
      id: r.id,
      entityRef: r.entity_ref,
      status: r.status,
      createdAt: r.created_at,
      finishedAt: r.finished_at ?? undefined,
      rollbackOf: r.rollback_of ?? undefined,
      reverts: r.reverts ?? undefined,
      secretChange: Number(r.secret_change) === 1,
      commitTime: r.commit_time ?? undefined,
      commitSha: r.commit_time ? r.commit_sha ?? undefined : undefined,
      userAgent: r.user_agent ?? undefined,
    }));
  }
}
