// @ts-check

/**
 * The commit a deployment deploys, from the build of its image, kept on the
 * deployment when it is made: the insights read a production history of
 * 20,000 deployments without joining the builds
 * (docs/decisions/0021-platform-insights.md, "Speed"). Existing deployments
 * are filled in from their builds: by image, or by digest for
 * `repo@sha256:` images; the first succeeded build of an image wins.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table
      .string('commit_time')
      .nullable()
      .comment("When the commit built into the image was made (its build's)");
    table
      .string('commit_sha', 40)
      .nullable()
      .comment('The commit built into the image (its build)');
  });
  const builds = await knex('builds')
    .select('entity_ref', 'image', 'digest', 'commit_time', 'commit_sha')
    .where('status', 'succeeded')
    .orderBy('started_at', 'desc');
  /** @type {Map<string, { commit_time: string | null, commit_sha: string }>} */
  const byImage = new Map();
  for (const b of builds) {
    // Oldest last: the first build of an image wins.
    if (b.image) byImage.set(`${b.entity_ref} ${b.image}`, b);
    if (b.digest) byImage.set(`${b.entity_ref} ${b.digest}`, b);
  }
  if (byImage.size === 0) return;
  const deployments = await knex('deployments').select(
    'id',
    'entity_ref',
    'image',
  );
  await knex.transaction(async trx => {
    for (const d of deployments) {
      const image = String(d.image ?? '');
      const at = image.indexOf('@sha256:');
      const build =
        byImage.get(`${d.entity_ref} ${image}`) ??
        (at >= 0
          ? byImage.get(`${d.entity_ref} ${image.slice(at + 1)}`)
          : undefined);
      if (!build) continue;
      await trx('deployments').where('id', d.id).update({
        commit_time: build.commit_time,
        commit_sha: build.commit_sha,
      });
    }
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('commit_time');
    table.dropColumn('commit_sha');
  });
};
