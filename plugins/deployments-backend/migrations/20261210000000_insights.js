// @ts-check

/**
 * What the platform insights read (docs/decisions/0021-platform-insights.md):
 * on a requested rollback, the deployment it undoes (a change failure, like
 * an automatic rollback's `rollback_of`); the user agent a deployment was
 * requested with (portal or CLI); and indexes for the production scan and
 * for finding a deployed image's build.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table
      .string('reverts')
      .nullable()
      .comment('For a requested rollback: the id of the deployment it undoes');
    table
      .string('user_agent', 512)
      .nullable()
      .comment('The User-Agent of the request that started it');
    table.index(['environment', 'created_at'], 'deployments_env_created_idx');
  });
  await knex.schema.alterTable('builds', table => {
    table.index(['entity_ref', 'image'], 'builds_entity_image_idx');
    table.index(['digest'], 'builds_digest_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('builds', table => {
    table.dropIndex(['entity_ref', 'image'], 'builds_entity_image_idx');
    table.dropIndex(['digest'], 'builds_digest_idx');
  });
  await knex.schema.alterTable('deployments', table => {
    table.dropIndex(
      ['environment', 'created_at'],
      'deployments_env_created_idx',
    );
    table.dropColumn('reverts');
    table.dropColumn('user_agent');
  });
};
