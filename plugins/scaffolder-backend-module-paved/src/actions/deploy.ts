import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { examples } from './deploy.examples';
import { deploymentsApi } from './deploymentsApi';

export const DEPLOY_ACTION_ID = 'paved:deployment:deploy';

/**
 * Deploys an image of a catalog entity to an environment through Paved's
 * deployments API, as the user who runs the template, and follows the
 * rollout to its end. Going through the API (not around it) puts the deploy
 * in the service's history and audit trail like every later one, under the
 * same permission and lock.
 */
export function createDeployAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  pollIntervalMs?: number;
}) {
  const { discovery, auth } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const action = createTemplateAction({
    id: DEPLOY_ACTION_ID,
    description:
      "Deploys an image of an entity to an environment through Paved's deployments API and waits for the rollout; fails with the rollout's reason.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The entity to deploy, e.g. component:default/orders-api',
            ),
        environment: z => z.string().describe('The environment, e.g. staging'),
        image: z =>
          z
            .string()
            .describe(
              'The image reference, e.g. registry.paved.local/orders-api:<commit>',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(3600)
            .default(600)
            .describe('How long to follow the rollout, in seconds'),
      },
      output: {
        deploymentId: z => z.string().describe('The deployment record'),
      },
    },
    async handler(ctx) {
      const { environment, image } = ctx.input;
      const entityRef = stringifyEntityRef(
        parseEntityRef(ctx.input.entityRef, { defaultKind: 'component' }),
      );
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would deploy ${image} of ${entityRef} to ${environment} through the deployments API`,
        );
        ctx.output('deploymentId', 'dry-run');
        return;
      }
      const api = deploymentsApi({
        discovery,
        auth,
        credentials: () => ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      let deployment = await api.call('CreateDeployment', {
        body: { entityRef, environment, image },
      });
      ctx.output('deploymentId', deployment.id);
      ctx.logger.info(
        `Deploying ${image} to ${environment} (deployment ${deployment.id})`,
      );
      const deadline = Date.now() + ctx.input.timeoutSeconds * 1000;
      while (
        deployment.status === 'pending' ||
        deployment.status === 'rolling-out'
      ) {
        if (Date.now() > deadline) {
          throw new Error(
            `Deployment ${deployment.id} of ${image} to ${environment} is still ${deployment.status} after ${ctx.input.timeoutSeconds} s; follow it on the service's Environments tab`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
        deployment = await api.call('GetDeployment', {
          params: { id: deployment.id },
        });
      }
      if (deployment.status === 'failed') {
        if (deployment.logTail) {
          ctx.logger.error(
            `Last log lines of the failing container:\n${deployment.logTail}`,
          );
        }
        throw new Error(
          `Deploying ${image} to ${environment} failed${
            deployment.failureReason ? ` (${deployment.failureReason})` : ''
          }: ${deployment.message ?? 'no message'}`,
        );
      }
      ctx.logger.info(deployment.message ?? `Deployed ${image}`);
    },
  });
  return withInputDefaults(action);
}
