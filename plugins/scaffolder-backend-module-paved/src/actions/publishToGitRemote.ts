import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  createTemplateAction,
  initRepoAndPush,
} from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import { examples } from './publishToGitRemote.examples';

export const PUBLISH_TO_GIT_REMOTE_ACTION_ID = 'paved:git-remote:publish';

/**
 * Creates a repository on Paved's git remote and pushes the workspace to it,
 * the local counterpart of `publish:github`.
 */
export function createPublishToGitRemoteAction(options: {
  client: GitRemoteClient;
  defaultAuthor?: { name?: string; email?: string };
}) {
  const { client } = options;
  const action = createTemplateAction({
    id: PUBLISH_TO_GIT_REMOTE_ACTION_ID,
    description:
      "Creates a repository on Paved's git remote and pushes the workspace (or a sub-directory of it) to it.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/i, {
              message:
                'Repository name must start with a letter or digit and contain only letters, digits, ".", "_" and "-"',
            })
            .describe('Repository name'),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              'Repository owner (namespace); defaults to paved.gitRemote.owner',
            ),
        description: z =>
          z.string().optional().describe('Repository description'),
        defaultBranch: z =>
          z.string().default('main').describe('Branch to push'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe('Sub-directory of the workspace to publish'),
        gitCommitMessage: z =>
          z
            .string()
            .default('Initial commit from the Paved golden path')
            .describe('Message of the initial commit'),
        resume: z =>
          z
            .boolean()
            .optional()
            .describe(
              "Finish an earlier run: keep an existing repository's content instead of failing (see paved:name:assert-available's resuming output)",
            ),
      },
      output: {
        remoteUrl: z => z.string().describe('Web URL of the new repository'),
        cloneUrl: z => z.string().describe('URL to clone the repository from'),
        repoContentsUrl: z =>
          z
            .string()
            .describe('URL of the repository contents at the pushed branch'),
        commitHash: z => z.string().describe('SHA of the pushed commit'),
      },
    },
    async handler(ctx) {
      const owner = ctx.input.owner ?? client.defaultOwner;
      const { name } = ctx.input;
      const defaultBranch = ctx.input.defaultBranch;
      const location = { owner, name, ref: defaultBranch, path: '' };
      const repoContentsUrl = client.webUrl(location, 'tree');

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create ${owner}/${name} on ${client.baseUrl} and push ${defaultBranch}`,
        );
        ctx.output('remoteUrl', `${client.baseUrl}/${owner}/${name}`);
        ctx.output('cloneUrl', `${client.baseUrl}/${owner}/${name}.git`);
        ctx.output('repoContentsUrl', repoContentsUrl);
        ctx.output('commitHash', 'dry-run');
        return;
      }

      ctx.logger.info(
        `Creating repository ${owner}/${name} on ${client.baseUrl}`,
      );
      // Recorded in the task's state (scaffolder.taskRecovery): a run recovered after a restart
      // finds the repository this task created instead of a conflict with itself.
      let createdNow = false;
      const repository = await ctx.checkpoint({
        key: `create-repository-${owner}-${name}`,
        fn: async () => {
          createdNow = true;
          try {
            return {
              ...(await client.createRepository({
                owner,
                name,
                description: ctx.input.description,
              })),
            };
          } catch (error) {
            if (error instanceof ConflictError && ctx.input.resume) {
              return { ...(await client.getRepository(owner, name)) };
            }
            if (error instanceof ConflictError) {
              throw new ConflictError(
                `${error.message}. Choose another name, or delete the repository if it is left over from an earlier attempt.`,
              );
            }
            throw error;
          }
        },
      });

      // An earlier run's push (resume), or this task's own before a restart interrupted it.
      const pushed =
        ctx.input.resume || !createdNow
          ? await client.getTree({ owner, name, ref: defaultBranch })
          : undefined;
      if (pushed) {
        // What an earlier run pushed stays: the developer may already have cloned it.
        ctx.logger.info(
          `Keeping ${repository.webUrl} as an earlier run pushed it (${pushed.sha})`,
        );
        ctx.output('remoteUrl', repository.webUrl);
        ctx.output('cloneUrl', repository.cloneUrl);
        ctx.output('repoContentsUrl', repoContentsUrl);
        ctx.output('commitHash', pushed.sha);
        return;
      }

      let sourceDir = ctx.workspacePath;
      if (ctx.input.sourcePath) {
        try {
          sourceDir = resolveSafeChildPath(
            ctx.workspacePath,
            ctx.input.sourcePath,
          );
        } catch {
          throw new InputError(
            `sourcePath: "${ctx.input.sourcePath}" must stay inside the workspace; give . or a subdirectory of it`,
          );
        }
      }
      ctx.logger.info(`Pushing ${defaultBranch} to ${repository.cloneUrl}`);
      const { commitHash } = await initRepoAndPush({
        dir: sourceDir,
        remoteUrl: repository.cloneUrl,
        // The local remote has no authentication; hosted forges use their own publish actions.
        auth: { username: 'paved', password: '' },
        logger: ctx.logger,
        defaultBranch,
        commitMessage: ctx.input.gitCommitMessage,
        gitAuthorInfo: options.defaultAuthor,
      });

      ctx.output('remoteUrl', repository.webUrl);
      ctx.output('cloneUrl', repository.cloneUrl);
      ctx.output('repoContentsUrl', repoContentsUrl);
      ctx.output('commitHash', commitHash);
      ctx.logger.info(`Published ${repository.webUrl} at ${commitHash}`);
    },
  });
  return withInputDefaults(action);
}
