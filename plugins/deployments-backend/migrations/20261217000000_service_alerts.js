// @ts-check

/**
 * SLO alerts received from Alertmanager (docs/decisions/0026): one row per alert instance
 * (Alertmanager's fingerprint and its start), firing until its resolution arrives, so the
 * entity page shows it after a restart and Alertmanager's repeats notify nobody twice.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('service_alerts', table => {
    table
      .string('id')
      .primary()
      .comment(
        "Alertmanager's fingerprint and the start in ms: <fingerprint>.<ms>",
      );
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('alertname').notNullable();
    table.string('severity').notNullable();
    table.string('status').notNullable().comment('firing or resolved');
    table.text('summary').notNullable();
    table.text('description').nullable();
    table.text('labels').notNullable().comment('JSON: the alert labels');
    table.string('starts_at').notNullable().comment('ISO 8601, UTC');
    table.string('resolved_at').nullable();
    table.string('updated_at').notNullable();
    table.index(['entity_ref', 'status'], 'service_alerts_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_alerts');
};
