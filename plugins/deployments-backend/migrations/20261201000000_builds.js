// @ts-check

/**
 * Builds of services' commits into images, as the local builder or a CI
 * reported them, with the last part of their log. Times are ISO 8601
 * strings, as in the other tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('builds', table => {
    table.comment('Every build of a commit of an entity into an image');
    table
      .bigIncrements('seq')
      .primary()
      .comment('Insertion order, the list cursor');
    table.string('id').notNullable().unique();
    table.string('entity_ref').notNullable();
    table.string('commit_sha', 40).notNullable();
    table.text('commit_message').nullable();
    table.string('commit_author', 512).nullable();
    table.string('commit_time').nullable();
    table.string('status').notNullable();
    table.string('image', 512).nullable();
    table.string('digest', 80).nullable();
    table.text('message').nullable();
    table.string('started_at').notNullable();
    table.string('finished_at').nullable();
    table
      .string('created_by')
      .notNullable()
      .comment('The service principal that posted it');
    table
      .text('log', 'longtext')
      .notNullable()
      .comment('The last part of the log (a limit is kept by the plugin)');
    table
      .bigInteger('log_size')
      .notNullable()
      .defaultTo(0)
      .comment('Characters ever appended: the offset after the last one');
    table
      .bigInteger('log_offset')
      .notNullable()
      .defaultTo(0)
      .comment('Where the kept log starts; above 0 once its start was dropped');
    table.index(['entity_ref', 'seq'], 'builds_entity_idx');
    table.index(['entity_ref', 'commit_sha'], 'builds_entity_commit_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('builds');
};
