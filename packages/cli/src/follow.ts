import { Deployment } from '@paved/plugin-deployments-common';
import { CliError, EXIT } from './errors';
import { Output } from './output';
import { Portal } from './portal';

/** How often a rollout is looked at (the portal's Deploy button polls as often). */
export const FOLLOW_EVERY_MS = 1000;

/** The exit code when Ctrl-C stops the following (the deploy goes on). */
export const EXIT_INTERRUPTED = 130;

const finished = (d: Deployment) =>
  d.status === 'succeeded' || d.status === 'failed';

/** Ctrl-C while following: the command prints its --json result as it stood and exits 130. */
export class Interrupted extends Error {
  constructor(readonly deployment: Deployment) {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Follows a deployment until its rollout is done or failed, printing each
 * change on stderr. Ctrl-C stops following (not the deploy) and says how to
 * resume. Resolves with the final deployment; a failed one is a CliError
 * (exit 1) with the rollout's reason and the container's last lines.
 */
export async function followDeployment(
  portal: Portal,
  out: Output,
  first: Deployment,
  options: { follow: boolean },
): Promise<Deployment> {
  let deployment = first;
  if (!options.follow || finished(deployment)) return judge(deployment);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  let last = '';
  try {
    for (;;) {
      const line = `${deployment.environment}: ${deployment.status}${
        deployment.message ? ` (${deployment.message})` : ''
      }`;
      if (line !== last) out.note(out.dim(`  … ${line}`));
      last = line;
      if (finished(deployment)) break;
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, FOLLOW_EVERY_MS);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (stop.signal.aborted) {
        out.note(
          `Stopped following; deployment ${deployment.id} goes on. Resume with: paved deploy watch ${deployment.id}`,
        );
        process.exitCode = EXIT_INTERRUPTED;
        throw new Interrupted(deployment);
      }
      deployment = await portal.deployments('GetDeployment', {
        params: { id: deployment.id },
      });
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  return judge(deployment);
}

function judge(deployment: Deployment): Deployment {
  if (deployment.status !== 'failed') return deployment;
  const tail = deployment.logTail
    ? `\n${deployment.logTail
        .split('\n')
        .map(l => `    ${l}`)
        .join('\n')}`
    : '';
  throw new CliError(
    `deployment ${deployment.id} to ${deployment.environment} failed${
      deployment.failureReason ? ` (${deployment.failureReason})` : ''
    }: ${deployment.message ?? 'the rollout failed'}${tail}`,
    EXIT.failed,
    `paved history ${deployment.entityRef.split('/').pop()} --env ${
      deployment.environment
    } shows what ran before and any automatic rollback`,
    'RolloutFailedError',
  );
}
