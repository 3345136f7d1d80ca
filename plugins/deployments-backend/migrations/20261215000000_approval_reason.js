// @ts-check

/**
 * Why an approval was rejected, as the decider gave it (`paved reject ID
 * --reason`, the portal's Reject dialog). Null for approvals and for
 * rejections without a reason.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('approvals', table => {
    table
      .text('decision_reason')
      .nullable()
      .comment('Why it was rejected, as the decider gave it');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('approvals', table => {
    table.dropColumn('decision_reason');
  });
};
