import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { examples } from './awaitEntity.examples';

export const AWAIT_ENTITY_ACTION_ID = 'paved:catalog:await-entity';

/**
 * Waits until the catalog serves an entity. `catalog:register` only adds a
 * location; the entity appears once the catalog has processed it, so without
 * this step the template's "Open in catalog" link can lead to "not found".
 */
export function createAwaitEntityAction(options: {
  catalog: CatalogService;
  pollIntervalMs?: number;
}) {
  const { catalog } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const action = createTemplateAction({
    id: AWAIT_ENTITY_ACTION_ID,
    description:
      'Waits until an entity (typically the one catalog:register just added) is served by the catalog.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The entity to wait for, e.g. component:default/orders-api',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(600)
            .default(60)
            .describe('How long to wait, in seconds'),
      },
    },
    async handler(ctx) {
      const entityRef = stringifyEntityRef(parseEntityRef(ctx.input.entityRef));
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would wait for ${entityRef} to appear in the catalog`,
        );
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const deadline = Date.now() + ctx.input.timeoutSeconds * 1000;
      ctx.logger.info(`Waiting for the catalog to process ${entityRef}`);
      for (;;) {
        if (await catalog.getEntityByRef(entityRef, { credentials })) {
          ctx.logger.info(`${entityRef} is in the catalog`);
          return;
        }
        if (Date.now() > deadline || ctx.signal?.aborted) {
          throw new Error(
            `${entityRef} was registered but is not in the catalog after ${ctx.input.timeoutSeconds} s; ` +
              'check the catalog for processing errors of its location.',
          );
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
    },
  });
  return withInputDefaults(action);
}
