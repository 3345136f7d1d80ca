/*
 * An empty SQLite database in memory for the stores' rule tests (the fast tier,
 * docs/decisions/0010), without `TestDatabases` from `@backstage/backend-test-utils`, which
 * loads the whole default backend into every test file. On PostgreSQL: the platform tests.
 */
import type { DatabaseService } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';

/**
 * An empty SQLite database in memory, as the database service hands it to a plugin that runs
 * its own migrations, and the Knex handle on it for the test's own looks. Each is destroyed
 * after the test file's tests (registered when this module is imported).
 */
const opened: Knex[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map(knex => knex.destroy()));
});

export async function testDatabase(): Promise<{
  database: DatabaseService;
  knex: Knex;
}> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  opened.push(knex);
  return {
    database: { getClient: async () => knex, migrations: { skip: false } },
    knex,
  };
}
