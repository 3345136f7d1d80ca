import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Feedback } from '@paved/plugin-deployments-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-deployments-backend',
  'migrations',
);

/** Where feedback is kept: one rating per user and rated action. */
export interface FeedbackStore {
  /** False when this user rated this action already. */
  insert(feedback: Feedback, subjectId: string): Promise<boolean>;
  exists(user: string, action: string, subjectId: string): Promise<boolean>;
  list(options: {
    since: string;
    action?: string;
    entityRef?: string;
  }): Promise<Feedback[]>;
}

type Row = {
  id: string;
  user_ref: string;
  action: string;
  subject_id: string;
  entity_ref: string;
  rating: number;
  category: string;
  comment: string | null;
  page: string;
  created_at: string;
};

/** The `feedback` table (migrations/20261211000000_feedback.js), SQLite or PostgreSQL. */
export class KnexFeedbackStore implements FeedbackStore {
  static async create(database: DatabaseService): Promise<KnexFeedbackStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new KnexFeedbackStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async exists(user: string, action: string, subjectId: string) {
    const row = await this.db('feedback')
      .where({ user_ref: user, action, subject_id: subjectId })
      .first('id');
    return Boolean(row);
  }

  async insert(feedback: Feedback, subjectId: string): Promise<boolean> {
    const row: Row = {
      id: feedback.id,
      user_ref: feedback.user,
      action: feedback.context.action,
      subject_id: subjectId,
      entity_ref: feedback.context.entityRef,
      rating: feedback.rating,
      category: feedback.category,
      comment: feedback.comment ?? null,
      page: feedback.context.page,
      created_at: feedback.createdAt,
    };
    try {
      await this.db('feedback').insert(row);
      return true;
    } catch (error) {
      // The unique index feedback_once_idx: a concurrent second rating.
      if (
        await this.exists(feedback.user, feedback.context.action, subjectId)
      ) {
        return false;
      }
      throw error;
    }
  }

  async list(options: {
    since: string;
    action?: string;
    entityRef?: string;
  }): Promise<Feedback[]> {
    const query = this.db<Row>('feedback')
      .where('created_at', '>=', options.since)
      .orderBy('created_at', 'desc')
      .limit(1000);
    if (options.action) query.andWhere('action', options.action);
    if (options.entityRef) query.andWhere('entity_ref', options.entityRef);
    return (await query).map(toFeedback);
  }
}

function toFeedback(row: Row): Feedback {
  const action = row.action as Feedback['context']['action'];
  return {
    id: row.id,
    rating: Number(row.rating),
    category: row.category,
    ...(row.comment ? { comment: row.comment } : {}),
    context: {
      page: row.page,
      action,
      entityRef: row.entity_ref,
      ...(action === 'production-deploy'
        ? { deploymentId: row.subject_id }
        : { taskId: row.subject_id }),
    },
    user: row.user_ref,
    createdAt: row.created_at,
  };
}
