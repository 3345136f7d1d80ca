import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';

/**
 * The databases every backend integration test runs on: SQLite and PostgreSQL.
 * `npm test` starts PostgreSQL and sets its connection string; without it the
 * PostgreSQL case would silently drop out, so the test file fails instead.
 */
export function sqliteAndPostgres(): TestDatabases {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });
  if (!databases.supports('POSTGRES_15')) {
    throw new Error(
      'No PostgreSQL for the integration tests: run them with `npm test`, which starts one, ' +
        'or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
    );
  }
  return databases;
}

/**
 * `backend.database` config for a test backend that runs several plugins on
 * one test database: a fresh PostgreSQL database with a schema per plugin, or
 * an in-memory SQLite database per plugin. Use with the real
 * `databaseServiceFactory`, not `mockServices.database`, which gives every
 * plugin the same connection (their migration tables would collide).
 */
export async function backendDatabaseConfig(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
): Promise<JsonObject> {
  const knex = await databases.init(databaseId);
  const { client, connection } = knex.client.config;
  if (client === 'pg') {
    return { client: 'pg', connection, pluginDivisionMode: 'schema' };
  }
  return { client: 'better-sqlite3', connection: ':memory:' };
}
