import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Environment, namespacesFor } from '@paved/plugin-provisioning-node';
import { examples } from './resolveEnvironments.examples';

export const RESOLVE_ENVIRONMENTS_ACTION_ID = 'paved:environments:resolve';

/**
 * Names a service's namespace in every environment of `paved.environments`,
 * so templates and catalog annotations follow the configured pattern instead
 * of repeating it.
 */
export function createResolveEnvironmentsAction(options: {
  environments: Environment[];
}) {
  return createTemplateAction({
    id: RESOLVE_ENVIRONMENTS_ACTION_ID,
    description:
      "Names a service's Kubernetes namespace in each environment configured under paved.environments.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        service: z =>
          z
            .string()
            .regex(/^[a-z][a-z0-9-]{1,38}$/, {
              message:
                'service must be 2 to 39 lowercase letters, digits or "-", starting with a letter',
            })
            .describe('The service name'),
      },
      output: {
        namespaces: z =>
          z
            .record(z.string())
            .describe(
              'Namespace per environment name, e.g. {staging: "orders-api-staging"}',
            ),
        environments: z =>
          z.array(z.string()).describe('Environment names, in config order'),
      },
    },
    async handler(ctx) {
      const namespaces = namespacesFor(options.environments, ctx.input.service);
      for (const [environment, namespace] of Object.entries(namespaces)) {
        ctx.logger.info(`${environment}: namespace ${namespace}`);
      }
      ctx.output('namespaces', namespaces);
      ctx.output(
        'environments',
        options.environments.map(env => env.name),
      );
    },
  });
}
