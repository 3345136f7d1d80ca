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
  image: string | null;
  user_agent: string | null;
  commit_time: string | null;
  commit_sha: string | null;
};

/**
 * The insights' scan of the deployments and builds tables (SQLite or
 * PostgreSQL): one indexed range read of an environment's deployments
 * (`deployments_env_created_idx`) joined with the build of each image
 * (`builds_entity_image_idx`); images by digest are looked up by digest after.
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
  }): Promise<InsightsDeployment[]> {
    const query = this.db('deployments as d')
      .select(
        'd.id',
        'd.entity_ref',
        'd.status',
        'd.created_at',
        'd.finished_at',
        'd.rollback_of',
        'd.reverts',
        // The image only where its build is looked up by digest.
        this.db.raw(
          "case when d.image like '%@sha256:%' then d.image else null end as image",
        ),
        'd.user_agent',
        this.db.raw(
          'case when d.secret_change is null then 0 else 1 end as secret_change',
        ),
        'b.commit_time',
        'b.commit_sha',
      )
      // A join, not a subquery per row: a hash join on PostgreSQL, the
      // (entity_ref, image) index on SQLite. A rebuilt image has two builds.
      .leftJoin('builds as b', join =>
        join
          .on('b.entity_ref', 'd.entity_ref')
          .andOn('b.image', 'd.image')
          .andOnVal('b.status', 'succeeded'),
      )
      .where('d.created_at', '>=', options.since);
    if (options.environment)
      query.andWhere('d.environment', options.environment);
    if (options.entityRefs) {
      if (options.entityRefs.length === 0) return [];
      query.whereIn('d.entity_ref', options.entityRefs);
    }
    const joined: Row[] = await query;
    const seen = new Set<string>();
    const rows = joined.filter(r => !seen.has(r.id) && !!seen.add(r.id));

    // Images named by digest: their build by digest.
    const byDigest = new Map<string, { time: string | null; sha: string }>();
    const digests = [
      ...new Set(
        rows
          .filter(r => !r.commit_time && r.image)
          .map(r => r.image!.slice(r.image!.indexOf('@') + 1)),
      ),
    ];
    for (let i = 0; i < digests.length; i += 500) {
      const builds = await this.db('builds')
        .select('digest', 'commit_time', 'commit_sha', 'entity_ref')
        .whereIn('digest', digests.slice(i, i + 500))
        .andWhere('status', 'succeeded');
      for (const b of builds) {
        byDigest.set(`${b.entity_ref} ${b.digest}`, {
          time: b.commit_time,
          sha: b.commit_sha,
        });
      }
    }

    return rows.map(r => {
      const digestBuild =
        r.commit_time || !r.image
          ? undefined
          : byDigest.get(
              `${r.entity_ref} ${r.image.slice(r.image.indexOf('@') + 1)}`,
            );
      return {
        id: r.id,
        entityRef: r.entity_ref,
        status: r.status,
        createdAt: r.created_at,
        finishedAt: r.finished_at ?? undefined,
        rollbackOf: r.rollback_of ?? undefined,
        reverts: r.reverts ?? undefined,
        secretChange: Number(r.secret_change) === 1,
        commitTime: r.commit_time ?? digestBuild?.time ?? undefined,
        commitSha: r.commit_time ? r.commit_sha ?? undefined : digestBuild?.sha,
        userAgent: r.user_agent ?? undefined,
      };
    });
  }
}
