// @ts-check

/**
 * The secret change a deployment rolled out (a restart for a change of the
 * environment's secrets, docs/decisions/0016-secrets-lifecycle.md): the
 * environment secret's KV version, the one before it, and the changed key
 * names, as JSON. Never values.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table
      .text('secret_change')
      .nullable()
      .comment(
        'JSON {version, previousVersion, changes: [{key, change}]}: key names and Vault versions, never values',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('secret_change');
  });
};
