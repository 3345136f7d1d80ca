import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { examples } from './assertEntityExists.examples';

export const ASSERT_ENTITY_EXISTS_ACTION_ID = 'paved:catalog:assert-exists';

/**
 * Fails, naming the form field, unless an entity a template refers to (an
 * owner, a system) is in the catalog. Runs before anything is created, so a
 * service never gets an owner nobody can find.
 */
export function createAssertEntityExistsAction(options: {
  catalog: CatalogService;
}) {
  return createTemplateAction({
    id: ASSERT_ENTITY_EXISTS_ACTION_ID,
    description:
      'Fails unless the referenced entity is in the catalog; the error names the form field.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe('Entity reference, e.g. group:default/storefront-team'),
        field: z =>
          z
            .string()
            .describe('The form field the reference came from, e.g. owner'),
        kinds: z =>
          z
            .array(z.string())
            .optional()
            .describe('Kinds the entity may have, e.g. [Group, User]'),
      },
    },
    async handler(ctx) {
      const { field, kinds } = ctx.input;
      let ref: string;
      try {
        ref = stringifyEntityRef(
          parseEntityRef(ctx.input.entityRef, {
            defaultKind: kinds?.[0] ?? 'Component',
            defaultNamespace: 'default',
          }),
        );
      } catch (error) {
        throw new InputError(
          `${field}: "${ctx.input.entityRef}" is not an entity reference (${
            (error as Error).message
          }); pick one from the list`,
        );
      }
      const entity = await options.catalog.getEntityByRef(ref, {
        credentials: await ctx.getInitiatorCredentials(),
      });
      if (!entity) {
        throw new InputError(
          `${field}: ${ref} is not in the catalog. Pick an existing ${
            kinds?.join(' or ') ?? 'entity'
          }, or add it to the catalog first.`,
        );
      }
      if (
        kinds &&
        !kinds.some(k => k.toLowerCase() === entity.kind.toLowerCase())
      ) {
        throw new InputError(
          `${field}: ${ref} is a ${entity.kind}; it must be a ${kinds.join(
            ' or ',
          )}.`,
        );
      }
      ctx.logger.info(`${field}: ${ref} is in the catalog`);
    },
  });
}
