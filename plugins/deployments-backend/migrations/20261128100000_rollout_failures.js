// @ts-check

/**
 * Why a rollout failed, in words a developer acts on, and what undid it:
 * the failure's reason (ImagePull, CrashLoop, ProbeFailure, ...) and the
 * failing container's last log lines; the image that ran before a deployment
 * (what an automatic rollback returns to); and, on an automatic rollback,
 * the deployment whose failure started it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table
      .string('failure_reason')
      .nullable()
      .comment(
        'ImagePull, CrashLoop, ContainerConfig, ProbeFailure, Unschedulable, Deadline or Timeout',
      );
    table
      .text('log_tail')
      .nullable()
      .comment("The failing container's last log lines");
    table
      .string('previous_image', 512)
      .nullable()
      .comment('The image that ran in the environment before this deployment');
    table
      .string('rollback_of')
      .nullable()
      .comment(
        'For an automatic rollback: the id of the deployment that failed',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('failure_reason');
    table.dropColumn('log_tail');
    table.dropColumn('previous_image');
    table.dropColumn('rollback_of');
  });
};
