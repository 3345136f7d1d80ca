import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ServiceAlert } from '@paved/plugin-deployments-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-deployments-backend',
  'migrations',
);

/** Where alerts are kept: one row per alert instance. */
export interface AlertStore {
  get(id: string): Promise<ServiceAlert | undefined>;
  /** False when a row with this id exists already (a concurrent first delivery). */
  insert(alert: ServiceAlert): Promise<boolean>;
  update(alert: ServiceAlert): Promise<void>;
  /** Firing (oldest first), then resolved since `resolvedSince` (newest first); at most `limit`. */
  listForEntity(
    entityRef: string,
    options: { resolvedSince: string; limit: number },
  ): Promise<ServiceAlert[]>;
}

type Row = {
  id: string;
  entity_ref: string;
  environment: string;
  alertname: string;
  severity: string;
  status: string;
  summary: string;
  description: string | null;
  labels: string;
  starts_at: string;
  resolved_at: string | null;
  updated_at: string;
};

function toRow(alert: ServiceAlert): Row {
  return {
    id: alert.id,
    entity_ref: alert.entityRef,
    environment: alert.environment,
    alertname: alert.alertname,
    severity: alert.severity,
    status: alert.status,
    summary: alert.summary,
    description: alert.description ?? null,
    labels: JSON.stringify(alert.labels),
    starts_at: alert.startsAt,
    resolved_at: alert.resolvedAt ?? null,
    updated_at: alert.updatedAt,
  };
}

function fromRow(row: Row): ServiceAlert {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    alertname: row.alertname,
    severity: row.severity,
    status: row.status === 'resolved' ? 'resolved' : 'firing',
    summary: row.summary,
    ...(row.description ? { description: row.description } : {}),
    labels: JSON.parse(row.labels),
    startsAt: row.starts_at,
    ...(row.resolved_at ? { resolvedAt: row.resolved_at } : {}),
    updatedAt: row.updated_at,
  };
}

/** The `service_alerts` table (migrations/20261217000000_service_alerts.js), SQLite or PostgreSQL. */
export class KnexAlertStore implements AlertStore {
  static async create(database: DatabaseService): Promise<KnexAlertStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new KnexAlertStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async get(id: string) {
    const row = await this.db<Row>('service_alerts').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async insert(alert: ServiceAlert): Promise<boolean> {
    try {
      await this.db('service_alerts').insert(toRow(alert));
      return true;
    } catch (error) {
      // The primary key: another delivery of the same instance got there first.
      if (await this.get(alert.id)) return false;
      throw error;
    }
  }

  async update(alert: ServiceAlert) {
    const { id, ...rest } = toRow(alert);
    await this.db('service_alerts').where({ id }).update(rest);
  }

  async listForEntity(
    entityRef: string,
    options: { resolvedSince: string; limit: number },
  ) {
    const firing = await this.db<Row>('service_alerts')
      .where({ entity_ref: entityRef, status: 'firing' })
      .orderBy('starts_at', 'asc')
      .limit(options.limit);
    const resolved = await this.db<Row>('service_alerts')
      .where({ entity_ref: entityRef, status: 'resolved' })
      .where('resolved_at', '>=', options.resolvedSince)
      .orderBy('resolved_at', 'desc')
      .limit(Math.max(0, options.limit - firing.length));
    return [...firing, ...resolved].map(fromRow);
  }
}
