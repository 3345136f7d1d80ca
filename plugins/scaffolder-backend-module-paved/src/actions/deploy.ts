import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DEPLOYMENT_IN_PROGRESS_ERROR } from '@paved/plugin-deployments-common';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { examples } from './deploy.examples';
import { deploymentsApi, isUnavailable } from './deploymentsApi';

export const DEPLOY_ACTION_ID = 'paved:deployment:deploy';

/** What a user does after this step failed. */
const RETRY_HINT =
  "Retry this run (the task page's menu: it resumes at this step) or deploy from the service's Environments tab.";

/**
 * Deploys an image of a catalog entity to an environment through Paved's
 * deployments API, as the user who runs the template, and follows the
 * rollout to its end. Going through the API (not around it) puts the deploy
 * in the service's history and audit trail like every later one, under the
 * same permission and lock.
 *
 * Safe to run again (docs/decisions/0028): the deployment it started is kept
 * in the task's state (a checkpoint), so a task recovered after a restart
 * follows that deployment instead of starting another; a retry after it
 * failed starts a new one. A deploy of the same image that is already under
 * way (the POST reached the API, the checkpoint did not) is followed too.
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
      /** Starts a deployment, or finds the same image's deployment already under way. */
      const start = async () => {
        try {
          return await api.call('CreateDeployment', {
            body: { entityRef, environment, image },
          });
        } catch (error) {
          if (
            !(error instanceof ResponseError) ||
            error.body.error.name !== DEPLOYMENT_IN_PROGRESS_ERROR
          ) {
            throw error;
          }
          const { kind, namespace, name } = parseEntityRef(entityRef);
          const { items } = await api.call('ListDeployments', {
            params: { kind, namespace, name },
            query: { environment, limit: 5 },
          });
          const running = items.find(
            d =>
              d.image === image &&
              (d.status === 'pending' || d.status === 'rolling-out'),
          );
          if (!running) throw error;
          ctx.logger.info(
            `Deployment ${running.id} of ${image} to ${environment} is already under way (started before a restart); following it`,
          );
          return running;
        }
      };
      let key = `deployment-${environment}`;
      let deployment;
      /** The deployments API out of reach (a 5xx, or no answer): said with what to do. */
      const unavailable = (error: unknown) =>
        isUnavailable(error)
          ? new Error(
              `${(error as Error).message.replace(
                /\.+$/,
                '',
              )}. Once it is back, ${RETRY_HINT}`,
            )
          : error;
      for (;;) {
        let startedNow = false;
        const { id } = await ctx
          .checkpoint({
            key,
            fn: async () => {
              startedNow = true;
              return { id: (await start()).id };
            },
          })
          .catch(error => {
            throw unavailable(error);
          });
        deployment = await api
          .call('GetDeployment', { params: { id } })
          .catch(error => {
            throw unavailable(error);
          });
        if (startedNow || deployment.status !== 'failed') break;
        // A retry of this step after the deployment it started failed: deploy again.
        ctx.logger.info(
          `Deployment ${id} of this task failed earlier (${
            deployment.message ?? 'no message'
          }); deploying again`,
        );
        key = `deployment-${environment}-after-${id}`;
      }
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
          }: ${(deployment.message ?? 'no message').replace(
            /\.+$/,
            '',
          )}. Once that is fixed, ${RETRY_HINT}`,
        );
      }
      ctx.logger.info(deployment.message ?? `Deployed ${image}`);
    },
  });
  return withInputDefaults(action);
}
