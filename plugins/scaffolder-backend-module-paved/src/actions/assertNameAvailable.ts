import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import yaml from 'yaml';
import { examples } from './assertNameAvailable.examples';

export const ASSERT_NAME_AVAILABLE_ACTION_ID = 'paved:name:assert-available';

/** The rule for service names; the template's form uses the same pattern. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}$/;

/**
 * Whether an existing repository is what an earlier, unfinished run of a
 * golden path left behind for this name (and owner): empty, or holding a
 * catalog-info.yaml that the golden path wrote for exactly this component.
 */
async function isUnfinishedRun(
  gitRemote: GitRemoteClient,
  name: string,
  owner: string | undefined,
): Promise<boolean> {
  const location = { owner: gitRemote.defaultOwner, name, ref: 'main' };
  if (!(await gitRemote.getTree(location))) return true;
  const text = await gitRemote.readFile({
    ...location,
    path: 'catalog-info.yaml',
  });
  if (!text) return false;
  const entity = yaml.parseAllDocuments(text)[0]?.toJS();
  return (
    entity?.metadata?.name === name &&
    Boolean(entity?.metadata?.annotations?.['paved.dev/golden-path']) &&
    (owner === undefined || entity?.spec?.owner === owner)
  );
}

/**
 * Refuses a name that a golden path cannot use: one that breaks the naming
 * rule, is taken by a catalog entity, or is taken by a repository. Runs as the
 * first step so that nothing is created for a name that would collide.
 *
 * A repository that an earlier run of the golden path created for the same
 * name and owner, and that never reached the catalog, is not a collision: the
 * step outputs `resuming: true` and the later steps, all safe to re-run,
 * finish what that run started.
 */
export function createAssertNameAvailableAction(options: {
  catalog: CatalogService;
  gitRemote?: GitRemoteClient;
}) {
  const { catalog, gitRemote } = options;
  const action = createTemplateAction({
    id: ASSERT_NAME_AVAILABLE_ACTION_ID,
    description:
      'Fails unless the name is valid and no catalog entity (of any kind) or git remote repository already uses it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('The name to check'),
        namespace: z =>
          z.string().default('default').describe('Catalog namespace'),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              'The owner the new entity will have; a leftover repository of an unfinished run is resumed only for the same owner',
            ),
      },
      output: {
        resuming: z =>
          z
            .boolean()
            .describe(
              'True when this run completes an earlier run that stopped before the catalog step',
            ),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const namespace = ctx.input.namespace;
      if (!SERVICE_NAME_PATTERN.test(name)) {
        throw new InputError(
          `Invalid name "${name}": use 2 to 39 characters, lowercase letters, digits and "-", starting with a letter (e.g. "orders-api").`,
        );
      }

      const { items } = await catalog.queryEntities(
        {
          filter: { 'metadata.name': name, 'metadata.namespace': namespace },
          fields: ['kind', 'metadata.name', 'spec.owner'],
          limit: 1,
        },
        { credentials: await ctx.getInitiatorCredentials() },
      );
      const taken = items[0];
      if (taken) {
        const owner = (taken.spec as { owner?: string } | undefined)?.owner;
        throw new InputError(
          `The name "${name}" is already used by ${
            taken.kind
          } ${namespace}/${name}${
            owner ? ` (owner: ${owner})` : ''
          }. Pick a name that is not in the catalog.`,
        );
      }

      if (gitRemote) {
        const repository = await gitRemote
          .getRepository(gitRemote.defaultOwner, name)
          .catch(error => {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          });
        if (
          repository &&
          (await isUnfinishedRun(gitRemote, name, ctx.input.owner))
        ) {
          ctx.logger.info(
            `Resuming: ${repository.webUrl} was created by an earlier run for "${name}" that did not reach the catalog. This run finishes it; every step is safe to re-run.`,
          );
          ctx.output('resuming', true);
          return;
        }
        if (repository) {
          throw new InputError(
            `A repository named "${name}" already exists at ${repository.webUrl}. Pick another name, or register that repository instead.`,
          );
        }
      }
      ctx.output('resuming', false);
      ctx.logger.info(
        `The name "${name}" is free in the catalog${
          gitRemote ? ' and on the git remote' : ''
        }`,
      );
    },
  });
  return withInputDefaults(action);
}
