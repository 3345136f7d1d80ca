import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { examples } from './awaitBuild.examples';
import { Build } from '@paved/plugin-deployments-common';
import { deploymentsApi, isUnavailable } from './deploymentsApi';

export const AWAIT_BUILD_ACTION_ID = 'paved:build:await';

const SHA = /^[0-9a-f]{7,40}$/i;

/** At most this many log lines of one read go into the task log; the rest are counted. */
const LOG_LINES_SHOWN = 5;

/** A read of the log as task-log lines: the last few lines, and how many came before. */
export function summarizeLog(text: string): string[] {
  const lines = text.split('\n').filter(line => line.trim() !== '');
  const shown = lines.slice(-LOG_LINES_SHOWN).map(line => `  │ ${line}`);
  return lines.length > LOG_LINES_SHOWN
    ? [`  │ … ${lines.length - LOG_LINES_SHOWN} more lines`, ...shown]
    : shown;
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? '' : ` in ${Math.round(ms / 1000)} s`;

/**
 * Waits until the deployments backend has a finished build of a commit of
 * an entity (posted by the builder or CI), following its log into the task
 * log, and outputs its image. Calls the deployments API with this plugin's
 * own service token, so it works before the entity is in the catalog.
 */
export function createAwaitBuildAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  pollIntervalMs?: number;
}) {
  const { discovery, auth } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;

  // Its own service token: the entity may not be in the catalog yet.
  const api = deploymentsApi({
    discovery,
    auth,
    credentials: () => auth.getOwnServiceCredentials(),
  });

  const action = createTemplateAction({
    id: AWAIT_BUILD_ACTION_ID,
    description:
      "Waits until the build of a commit of a service has finished (reported by Paved's builder or CI to the deployments backend), streams its progress into the task log, and outputs the image it built.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The component whose repository was built, e.g. component:default/orders-api',
            ),
        commitSha: z =>
          z
            .string()
            .describe(
              'The commit to wait for, e.g. the commitHash output of paved:git-remote:publish',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(3600)
            .default(600)
            .describe(
              'How long to wait for the build to arrive and end, in seconds',
            ),
      },
      output: {
        image: z => z.string().describe('The image the build pushed'),
        buildId: z => z.string().describe('The build record'),
        digest: z =>
          z.string().optional().describe('The digest of the image, when known'),
      },
    },
    async handler(ctx) {
      const { commitSha } = ctx.input;
      const timeoutSeconds = ctx.input.timeoutSeconds;
      const entity = parseEntityRef(ctx.input.entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      });
      const entityRef = stringifyEntityRef(entity);
      if (ctx.isDryRun) {
        // In a dry run the commit (e.g. publish's output) is a placeholder too.
        const image = `registry.paved.local/${entity.name}:${commitSha}`;
        ctx.logger.info(
          `Dry run: would wait for the build of ${commitSha} of ${entityRef}; using ${image}`,
        );
        ctx.output('image', image);
        ctx.output('buildId', 'dry-run');
        return;
      }
      if (!SHA.test(commitSha)) {
        throw new InputError(
          `commitSha: "${commitSha}" is not a commit SHA; pass 7 to 40 hexadecimal characters, e.g. \${{ steps['publish'].output.commitHash }}`,
        );
      }
      const sha = commitSha.toLowerCase();
      const short = sha.slice(0, 7);
      const entityParams = {
        kind: entity.kind.toLocaleLowerCase('en-US'),
        namespace: entity.namespace,
        name: entity.name,
      };

      const deadline = Date.now() + timeoutSeconds * 1000;
      let build: Build | undefined;
      let offset = 0;
      ctx.logger.info(`Waiting for the build of ${short} of ${entityRef}`);
      for (;;) {
        if (ctx.signal?.aborted) throw new Error('Cancelled');
        try {
          if (!build) {
            build = (
              await api.call('ListBuilds', {
                params: entityParams,
                query: { commitSha: sha, limit: 1 },
              })
            ).items[0];
            if (build) {
              ctx.logger.info(
                `Build ${build.id} of ${short} is ${
                  build.status === 'running' ? 'running' : build.status
                } (started ${build.startedAt})`,
              );
            }
          }
          if (build) {
            const chunk = await api.call('GetBuildLog', {
              params: { id: build.id },
              query: { offset },
            });
            offset = chunk.nextOffset;
            for (const line of summarizeLog(chunk.text)) ctx.logger.info(line);
            if (chunk.finished) {
              const done = await api.call('GetBuild', {
                params: { id: build.id },
              });
              if (done.status === 'failed' || !done.image) {
                throw new Error(
                  `The build of ${short} failed: ${
                    done.message ?? 'the builder gave no reason'
                  } (build ${done.id}; its log is on the entity's Builds card)`,
                );
              }
              ctx.logger.info(
                `Build ${done.id} succeeded${seconds(done.durationMs)}: ${
                  done.image
                }`,
              );
              ctx.output('image', done.image);
              ctx.output('buildId', done.id);
              if (done.digest) ctx.output('digest', done.digest);
              return;
            }
          }
        } catch (error) {
          // The backend may restart; anything else (a 4xx, a failed build) ends the wait.
          if (!isUnavailable(error)) throw error;
          ctx.logger.warn(
            `Reading the build failed, retrying: ${(error as Error).message}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            build
              ? `the build of ${sha} (${build.id}) did not finish within ${timeoutSeconds} s; its log is on the entity's Builds card`
              : `no build of ${sha} arrived within ${timeoutSeconds} s: is the builder running? (yarn platform status)`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
    },
  });
  return withInputDefaults(action);
}
