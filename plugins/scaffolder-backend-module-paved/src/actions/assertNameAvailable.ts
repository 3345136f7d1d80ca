import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import { examples } from './assertNameAvailable.examples';

export const ASSERT_NAME_AVAILABLE_ACTION_ID = 'paved:name:assert-available';

/** The rule for service names; the template's form uses the same pattern. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}$/;

/**
 * Refuses a name that a golden path cannot use: one that breaks the naming
 * rule, is taken by a catalog entity, or is taken by a repository. Runs as the
 * first step so that nothing is created for a name that would collide.
 */
export function createAssertNameAvailableAction(options: {
  catalog: CatalogService;
  gitRemote?: GitRemoteClient;
}) {
  const { catalog, gitRemote } = options;
  return createTemplateAction({
    id: ASSERT_NAME_AVAILABLE_ACTION_ID,
    description:
      'Fails unless the name is valid and no catalog entity (of any kind) or git remote repository already uses it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('The name to check'),
        namespace: z =>
          z
            .string()
            .optional()
            .describe('Catalog namespace; default "default"'),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const namespace = ctx.input.namespace ?? 'default';
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
        if (repository) {
          throw new InputError(
            `A repository named "${name}" already exists at ${repository.webUrl}. Pick another name, or register that repository instead.`,
          );
        }
      }
      ctx.logger.info(
        `The name "${name}" is free in the catalog${
          gitRemote ? ' and on the git remote' : ''
        }`,
      );
    },
  });
}
