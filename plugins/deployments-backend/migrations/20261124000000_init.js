// @ts-check

/**
 * Deployments, their per-environment locks, approval requests and the audit
 * trail. Times are ISO 8601 strings, so they sort and compare the same on
 * SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployments', table => {
    table.comment(
      'Every deployment of an image of an entity to an environment',
    );
    table
      .bigIncrements('seq')
      .primary()
      .comment('Insertion order, the history cursor');
    table.string('id').notNullable().unique();
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('namespace').notNullable();
    table
      .string('workload')
      .notNullable()
      .comment('Name of the Kubernetes Deployment');
    table.string('image', 512).notNullable();
    table.integer('replicas').nullable();
    table.integer('revision').nullable();
    table.string('status').notNullable();
    table.string('requested_by').notNullable();
    table.string('created_at').notNullable();
    table.string('finished_at').nullable();
    table.text('message').nullable();
    table.index(
      ['entity_ref', 'environment', 'seq'],
      'deployments_entity_env_idx',
    );
    table.index(['status'], 'deployments_status_idx');
  });
  await knex.schema.createTable('deployment_locks', table => {
    table.comment(
      'One row while a deployment of an entity to an environment is under way',
    );
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('deployment_id').notNullable();
    table.string('acquired_at').notNullable();
    table.primary(['entity_ref', 'environment']);
  });
  await knex.schema.createTable('approvals', table => {
    table.comment('Promotions into environments that require approval');
    table.string('id').primary();
    table.string('entity_ref').notNullable();
    table.string('from_environment').notNullable();
    table.string('to_environment').notNullable();
    table.string('image', 512).notNullable();
    table.string('requested_by').notNullable();
    table.string('status').notNullable();
    table.string('decided_by').nullable();
    table.string('decided_at').nullable();
    table.string('created_at').notNullable();
    table.string('deployment_id').nullable();
    table.index(['entity_ref'], 'approvals_entity_idx');
  });
  await knex.schema.createTable('audit_events', table => {
    table.comment(
      'Who did what to which entity and environment, and how it ended',
    );
    table.bigIncrements('seq').primary();
    table.string('id').notNullable().unique();
    table.string('created_at').notNullable();
    table.string('actor').notNullable();
    table.string('action').notNullable();
    table.string('entity_ref').notNullable();
    table.string('environment').nullable();
    table.string('image', 512).nullable();
    table.string('result').notNullable();
    table.text('message').nullable();
    table.string('deployment_id').nullable();
    table.string('approval_id').nullable();
    table.index(['entity_ref', 'seq'], 'audit_events_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_events');
  await knex.schema.dropTable('approvals');
  await knex.schema.dropTable('deployment_locks');
  await knex.schema.dropTable('deployments');
};
