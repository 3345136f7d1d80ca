import { EnvironmentStatus, LogLine } from '@paved/plugin-deployments-common';
import { Command } from 'commander';
import { contextOf } from '../context';
import { CliError, EXIT, fromBackendError } from '../errors';
import { ago, Output, table } from '../output';
import { resolveService, ServiceRef } from '../service';

/** Green for succeeded, red for failed, yellow for anything under way. */
const byStatus = (out: Output, status: string) => {
  if (status === 'succeeded') return out.green(status);
  if (status === 'failed') return out.red(status);
  return out.yellow(status);
};

function healthOf(out: Output, e: EnvironmentStatus): string {
  if (!e.health) return out.dim('-');
  if (e.health.healthy) return out.green('healthy');
  return out.red(`unhealthy${e.health.error ? ` (${e.health.error})` : ''}`);
}

const params = (s: ServiceRef) => ({
  kind: s.kind,
  namespace: s.namespace,
  name: s.name,
});

export function addObserveCommands(program: Command) {
  program
    .command('status')
    .description(
      'Per environment: version, replicas, health, URL, last deploy; and pending approvals',
    )
    .argument('[service]', "the service (default: this repository's)")
    .addHelpText(
      'after',
      `
Examples:
  paved status
  paved status orders-api --json | jq '.environments[].image'`,
    )
    .action(async (name: string | undefined, _opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const [environments, approvals] = await Promise.all([
        portal.deployments('ListEnvironments', { params: params(service) }),
        portal.deployments('ListApprovals', {
          params: params(service),
          query: { status: 'pending' },
        }),
      ]);
      const { out } = ctx;
      out.say(out.bold(service.name));
      out.say();
      const rows = [
        ['ENVIRONMENT', 'VERSION', 'READY', 'HEALTH', 'DEPLOYED', 'URL'],
      ];
      for (const e of environments.items) {
        const health = healthOf(out, e);
        rows.push([
          e.environment,
          e.health?.version ??
            e.image?.split(/[:@]/).pop() ??
            out.dim('not deployed'),
          e.rolloutState === 'not-deployed'
            ? '-'
            : `${e.replicas.ready}/${e.replicas.desired}${
                e.rolloutState === 'progressing'
                  ? out.yellow(' rolling out')
                  : ''
              }${e.rolloutState === 'failed' ? out.red(' failed') : ''}`,
          health,
          e.lastDeployment
            ? `${ago(
                e.lastDeployment.createdAt,
              )} by ${e.lastDeployment.requestedBy.replace(
                /^user:default\//,
                '',
              )}`
            : '-',
          e.url ?? '-',
        ]);
      }
      table(rows).forEach(line => out.say(line));
      if (approvals.items.length) {
        out.say();
        out.say(out.bold('Pending approvals'));
        for (const a of approvals.items) {
          out.say(
            `  ${a.id}  ${a.fromEnvironment} → ${a.toEnvironment}  ${
              a.image
            }  requested by ${a.requestedBy} ${ago(
              a.createdAt,
            )}   paved approve ${a.id}`,
          );
        }
      }
      out.result({
        service: `${service.kind}:${service.namespace}/${service.name}`,
        environments: environments.items,
        pendingApprovals: approvals.items,
      });
    });

  program
    .command('history')
    .description('Deployments, newest first')
    .argument('[service]', "the service (default: this repository's)")
    .option('-e, --env <environment>', 'only this environment')
    .option('-n, --limit <n>', 'how many', v => Number(v), 20)
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const page = await portal.deployments('ListDeployments', {
        params: params(service),
        query: { environment: opts.env, limit: opts.limit },
      });
      const { out } = ctx;
      const colour = (s: string) => byStatus(out, s);
      table([
        ['ID', 'ENVIRONMENT', 'STATUS', 'IMAGE', 'WHEN', 'BY'],
        ...page.items.map(d => [
          d.id,
          d.environment,
          colour(d.status),
          d.image,
          ago(d.createdAt),
          d.requestedBy.replace(/^user:default\//, ''),
        ]),
      ]).forEach(line => out.say(line));
      out.result({ items: page.items, nextCursor: page.nextCursor });
    });

  program
    .command('builds')
    .description('Builds of pushes to main, newest first')
    .argument('[service]', "the service (default: this repository's)")
    .option('-n, --limit <n>', 'how many', v => Number(v), 20)
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const page = await portal.deployments('ListBuilds', {
        params: params(service),
        query: { limit: opts.limit },
      });
      const { out } = ctx;
      table([
        ['COMMIT', 'STATUS', 'IMAGE', 'STARTED', 'MESSAGE'],
        ...page.items.map(b => [
          b.commitSha.slice(0, 7),
          byStatus(out, b.status),
          b.image ?? '-',
          ago(b.startedAt),
          (b.commitMessage ?? '').split('\n')[0].slice(0, 60),
        ]),
      ]).forEach(line => out.say(line));
      out.result({ items: page.items, nextCursor: page.nextCursor });
    });

  program
    .command('logs')
    .description("The service's container logs in an environment")
    .argument('[service]', "the service (default: this repository's)")
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option(
      '--since <when>',
      'from this long ago (30s, 15m, 1h, 2d) or this time (ISO 8601)',
    )
    .option('-n, --tail <lines>', 'the last N lines per pod', v => Number(v))
    .option('--pod <name>', 'only this pod (default: all of the service)')
    .option('--container <name>', "this container (default: the service's)")
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addHelpText(
      'after',
      `
Examples:
  paved logs --since 1h
  paved logs orders-api --env production --follow
  paved logs --json | jq -r .text        # one JSON object per line (LogLine)`,
    )
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const response = await portal.deploymentsStream(
          'ReadLogs',
          {
            params: { ...params(service), environment: opts.env },
            query: {
              since: opts.since,
              tailLines: opts.tail,
              pod: opts.pod,
              container: opts.container,
              follow: opts.follow ? 'true' : undefined,
            },
          },
          stop.signal,
        );
        const { out } = ctx;
        const many = !opts.pod;
        const print = (raw: string) => {
          if (!raw) return;
          const line = JSON.parse(raw) as
            | LogLine
            | { error: { name: string; message: string } };
          if ('error' in line) {
            throw fromBackendError(500, line.error.name, line.error.message);
          }
          if (out.json) {
            process.stdout.write(`${raw}\n`);
          } else {
            process.stdout.write(
              `${many ? out.dim(`${line.pod} `) : ''}${line.text}\n`,
            );
          }
        };
        const decoder = new TextDecoder();
        let rest = '';
        try {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            const parts = (
              rest + decoder.decode(chunk, { stream: true })
            ).split('\n');
            rest = parts.pop() ?? '';
            parts.forEach(print);
          }
          print(rest);
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        }
      } catch (error) {
        if ((error as Error).name === 'AbortError') return;
        throw error;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    });

  program
    .command('open')
    .description("Open the service's page in the portal")
    .argument('[service]', "the service (default: this repository's)")
    .option('--print', 'print the URL instead of opening it')
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const appUrl = (
        process.env.PAVED_APP_URL ?? portal.baseUrl.replace(/:7007$/, ':3000')
      ).replace(/\/+$/, '');
      const url = `${appUrl}/catalog/${service.namespace}/${service.kind}/${service.name}`;
      if (!opts.print && !ctx.out.json) {
        const { openInBrowser } = await import('../login');
        openInBrowser(url);
      }
      ctx.out.say(url);
      ctx.out.result({ url });
    });
}

export { CliError, EXIT };
