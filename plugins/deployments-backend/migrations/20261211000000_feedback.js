// @ts-check

/**
 * Developer feedback (docs/decisions/0022): one rating per user and rated
 * action (a production deployment or a Create Service task), with its context.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('feedback', table => {
    table.string('id').primary();
    table.string('user_ref').notNullable();
    table
      .string('action')
      .notNullable()
      .comment('create-service or production-deploy');
    table
      .string('subject_id')
      .notNullable()
      .comment('The deployment id or the scaffolder task id rated');
    table.string('entity_ref').notNullable();
    table.integer('rating').notNullable();
    table.string('category').notNullable();
    table.text('comment').nullable();
    table.string('page', 500).notNullable();
    table.string('created_at').notNullable().comment('ISO 8601, UTC');
    table.unique(['user_ref', 'action', 'subject_id'], {
      indexName: 'feedback_once_idx',
    });
    table.index(['created_at'], 'feedback_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('feedback');
};
