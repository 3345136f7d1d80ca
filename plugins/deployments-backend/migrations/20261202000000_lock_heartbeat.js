// @ts-check

/**
 * A heartbeat on each deployment lock: the backend watching the rollout
 * renews it, and a lock whose heartbeat stopped (its backend died) is taken
 * over by the next deploy, however long rollouts may take
 * (docs/decisions/0009-stale-lock-heartbeat.md).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_locks', table => {
    table
      .string('heartbeat_at')
      .nullable()
      .comment(
        'When the holder last said it is alive (ISO time); null: acquired_at',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_locks', table => {
    table.dropColumn('heartbeat_at');
  });
};
