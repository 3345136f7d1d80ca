import { ApprovalRequest, Deployment } from '@paved/plugin-deployments-common';
import { Command } from 'commander';
import { Context, contextOf } from '../context';
import { CliError, EXIT } from '../errors';
import { followDeployment } from '../follow';
import { Output } from '../output';
import { entityRefOf, resolveService, ServiceRef } from '../service';

const params = (s: ServiceRef) => ({
  kind: s.kind,
  namespace: s.namespace,
  name: s.name,
});

function describeDeployment(out: Output, d: Deployment, verb: string) {
  out.say(
    `${out.green('✔')} ${verb} ${out.bold(d.image)} to ${out.bold(
      d.environment,
    )} (deployment ${d.id}${d.revision ? `, revision ${d.revision}` : ''})`,
  );
}

/** The image of the newest succeeded build (`latest`) or of a commit's build (SHA prefix). */
async function imageOfBuild(
  ctx: Context,
  service: ServiceRef,
  build: string,
): Promise<string> {
  const portal = await ctx.portal();
  const page = await portal.deployments('ListBuilds', {
    params: params(service),
    query: { status: 'succeeded', limit: 100 },
  });
  const found = page.items.find(
    b => build === 'latest' || b.commitSha.startsWith(build),
  );
  if (!found?.image) {
    throw new CliError(
      `no succeeded build of ${service.name} ${
        build === 'latest' ? 'yet' : `for commit ${build}`
      }`,
      EXIT.notFound,
      `paved builds ${service.name} lists its builds; push to main to build one`,
    );
  }
  return found.image;
}

export function addDeployCommands(program: Command) {
  const deploy = program
    .command('deploy')
    .description(
      'Deploy an image to an environment (default staging) and follow the rollout',
    )
    .argument('[service]', "the service (default: this repository's)")
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option('--image <ref>', 'an image reference to deploy')
    .option(
      '--build <latest|sha>',
      'the image of a succeeded build (default: latest)',
    )
    .option('--replicas <n>', 'how many pods', v => Number(v))
    .option('--no-follow', 'return once the deploy has started')
    .addHelpText(
      'after',
      `
Examples:
  paved deploy                         # this repository's latest build to staging
  paved deploy orders-api --build 3f2a1c
  paved deploy orders-api --image registry.paved.local/orders-api:1.4.2 --json`,
    )
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      if (opts.image && opts.build) {
        throw new CliError(
          '--image and --build name the image twice',
          EXIT.usage,
          'give one of them',
        );
      }
      const image =
        opts.image ??
        (await imageOfBuild(ctx, service, opts.build ?? 'latest'));
      const portal = await ctx.portal();
      ctx.out.note(`Deploying ${image} to ${opts.env} …`);
      const started = await portal.deployments('CreateDeployment', {
        body: {
          entityRef: entityRefOf(service),
          environment: opts.env,
          image,
          ...(opts.replicas ? { replicas: opts.replicas } : {}),
        },
      });
      const done = await followDeployment(portal, ctx.out, started, opts);
      describeDeployment(ctx.out, done, opts.follow ? 'Deployed' : 'Deploying');
      ctx.out.result({ deployment: done });
    });

  deploy
    .command('watch')
    .description('Follow a deployment until its rollout is done or failed')
    .argument(
      '<id>',
      'the deployment id (deploy, promote and rollback print it)',
    )
    .action(async (id: string, _opts, command: Command) => {
      const ctx = contextOf(command);
      const portal = await ctx.portal();
      const first = await portal.deployments('GetDeployment', {
        params: { id },
      });
      const done = await followDeployment(portal, ctx.out, first, {
        follow: true,
      });
      describeDeployment(ctx.out, done, 'Deployed');
      ctx.out.result({ deployment: done });
    });

  deploy
    .command('promote')
    .description(
      'Promote what runs in one environment to the next (asks for approval where needed)',
    )
    .argument('[service]', "the service (default: this repository's)")
    .option('--from <environment>', 'the source environment', 'staging')
    .option('--to <environment>', 'the target environment', 'production')
    .option('--no-follow', 'return once the deploy has started')
    .addHelpText(
      'after',
      `
Examples:
  paved deploy promote                 # staging → production; prints the approval ID
  paved approve 6f1c…                  # someone else (owner or platform team) approves`,
    )
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const result = await portal.deployments('CreatePromotion', {
        body: { entityRef: entityRefOf(service), from: opts.from, to: opts.to },
      });
      if (result.type === 'approval') {
        const a = result.approval;
        ctx.out.say(
          `${ctx.out.yellow('…')} ${
            opts.to
          } needs an approval: request ${ctx.out.bold(a.id)} for ${a.image}`,
        );
        ctx.out.say(
          `  An owner or the platform team (not you) runs: paved approve ${a.id}`,
        );
        ctx.out.result({ type: 'approval', approval: a });
        return;
      }
      const done = await followDeployment(
        portal,
        ctx.out,
        result.deployment,
        opts,
      );
      describeDeployment(ctx.out, done, 'Promoted');
      ctx.out.result({ type: 'deployment', deployment: done });
    });

  deploy
    .command('rollback')
    .description(
      'Deploy an earlier release again (default: the previous good one)',
    )
    .argument('[service]', "the service (default: this repository's)")
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option('--to <deployment-id>', 'the deployment to go back to')
    .option('--no-follow', 'return once the deploy has started')
    .addHelpText(
      'after',
      `
Examples:
  paved deploy rollback                # staging back to the release before the current one
  paved deploy rollback orders-api --env production --to 5b0e…`,
    )
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      let target: string | undefined = opts.to;
      let current: Deployment | undefined;
      if (!target) {
        const history = await portal.deployments('ListDeployments', {
          params: params(service),
          query: { environment: opts.env, limit: 100 },
        });
        const good = history.items.filter(d => d.status === 'succeeded');
        current = good[0];
        const previous = good.find(d => current && d.image !== current.image);
        if (!previous) {
          throw new CliError(
            `${service.name} has no earlier good release in ${opts.env}`,
            EXIT.notFound,
            `paved history ${service.name} --env ${opts.env} lists what ran there`,
          );
        }
        target = previous.id;
      }
      const started = await portal.deployments('CreateRollback', {
        body: {
          entityRef: entityRefOf(service),
          environment: opts.env,
          toDeploymentId: target,
        },
      });
      const done = await followDeployment(portal, ctx.out, started, opts);
      describeDeployment(ctx.out, done, 'Rolled back to');
      if (current) {
        ctx.out.say(
          ctx.out.dim(
            `  Undo: paved deploy rollback ${service.name} --env ${opts.env} --to ${current.id}`,
          ),
        );
      }
      ctx.out.result({ deployment: done });
    });

  program
    .command('approve')
    .description(
      'Approve a promotion (owners and the platform team; not the requester)',
    )
    .argument(
      '<id>',
      'the approval request id (paved status lists pending ones)',
    )
    .option('--no-follow', 'return once the deploy has started')
    .action(async (id: string, opts, command: Command) => {
      const ctx = contextOf(command);
      const portal = await ctx.portal();
      const result = await portal.deployments('ApproveApproval', {
        params: { id },
      });
      const done = await followDeployment(
        portal,
        ctx.out,
        result.deployment,
        opts,
      );
      describeDeployment(ctx.out, done, 'Approved and deployed');
      ctx.out.result({ approval: result.approval, deployment: done });
    });

  program
    .command('reject')
    .description('Reject a promotion')
    .argument('<id>', 'the approval request id')
    .option(
      '-r, --reason <text>',
      'why (stored with the decision, shown in the audit trail)',
    )
    .addHelpText(
      'after',
      `
Examples:
  paved reject 6f1c… --reason "wait for the schema migration"`,
    )
    .action(async (id: string, opts, command: Command) => {
      const ctx = contextOf(command);
      const portal = await ctx.portal();
      const approval: ApprovalRequest = await portal.deployments(
        'RejectApproval',
        { params: { id }, body: opts.reason ? { reason: opts.reason } : {} },
      );
      ctx.out.say(
        `${ctx.out.red('✘')} Rejected ${approval.image} → ${
          approval.toEnvironment
        }${approval.decisionReason ? `: ${approval.decisionReason}` : ''}`,
      );
      ctx.out.result({ approval });
    });
}
