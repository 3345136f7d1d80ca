import { SecretChangeResult } from '@paved/plugin-deployments-common';
import { Command } from 'commander';
import { Context, contextOf } from '../context';
import { CliError, EXIT } from '../errors';
import { followDeployment } from '../follow';
import { table } from '../output';
import { resolveService, ServiceRef } from '../service';

const params = (s: ServiceRef, environment: string) => ({
  kind: s.kind,
  namespace: s.namespace,
  name: s.name,
  environment,
});

/** Reads stdin to its end (values piped in: never on the command line, never echoed). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `KEY=VALUE` arguments, and `KEY` alone (its value the whole of stdin, one trailing newline dropped). */
export async function parseAssignments(
  args: string[],
  stdin: () => Promise<string> = readStdin,
): Promise<Record<string, string>> {
  const set: Record<string, string> = {};
  const fromStdin = args.filter(a => !a.includes('='));
  if (fromStdin.length > 1) {
    throw new CliError(
      `only one key can take its value from stdin (${fromStdin.join(
        ', ',
      )} have none)`,
      EXIT.usage,
      'give the others as KEY=VALUE',
    );
  }
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq === 0) {
      throw new CliError(
        `"${arg.split('=')[0]}=…" has no key`,
        EXIT.usage,
        'write KEY=VALUE',
      );
    }
    if (eq > 0) set[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  if (fromStdin.length === 1) {
    set[fromStdin[0]] = (await stdin()).replace(/\r?\n$/, '');
  }
  return set;
}

async function finish(
  ctx: Context,
  result: SecretChangeResult,
  follow: boolean,
  verb: string,
) {
  const { out } = ctx;
  for (const change of result.changes) {
    out.say(`  ${change.change.padEnd(9)} ${change.key}`);
  }
  if (result.dryRun) {
    out.say(
      `Dry run: nothing changed. ${
        result.restarts.length
          ? `Would restart ${result.restarts
              .map(r => `${r.namespace}/${r.name}`)
              .join(', ')}.`
          : ''
      }`,
    );
    out.result(result);
    return;
  }
  if (result.deploymentId) {
    const portal = await ctx.portal();
    const first = await portal.deployments('GetDeployment', {
      params: { id: result.deploymentId },
    });
    await followDeployment(portal, out, first, { follow });
  }
  out.say(
    `${out.green('✔')} ${verb} in ${result.environment} (version ${
      result.version ?? '-'
    }).`,
  );
  out.result(result);
}

export function addSecretCommands(program: Command) {
  const secrets = program
    .command('secrets')
    .description("An environment's secrets: names and versions, never values");

  secrets
    .command('list')
    .description('The keys the service gets in an environment')
    .argument('[service]', "the service (default: this repository's)")
    .option('-e, --env <environment>', 'the environment', 'staging')
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      const service = await resolveService(name);
      const portal = await ctx.portal();
      const list = await portal.deployments('ListSecrets', {
        params: params(service, opts.env),
      });
      table([
        ['KEY', 'SOURCE', 'VERSION', 'CHANGED BY'],
        ...list.items.map(k => [
          k.key,
          k.source,
          String(k.version),
          (k.updatedBy ?? '-').replace(/^user:default\//, ''),
        ]),
      ]).forEach(line => ctx.out.say(line));
      ctx.out.result(list);
    });

  secrets
    .command('set')
    .description('Set keys (a new Vault version) and restart the service')
    .argument('[service]', "the service (default: this repository's)")
    .argument(
      '<assignments...>',
      'KEY=VALUE, or KEY alone to read its value from stdin',
    )
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option('--dry-run', 'say what would change; change nothing')
    .option('--no-follow', 'return once the restart has started')
    .addHelpText(
      'after',
      `
Examples:
  paved secrets set orders-api FEATURE_FLAG=on
  printf %s "$TOKEN" | paved secrets set orders-api API_TOKEN     # value from stdin`,
    )
    .action(
      async (
        name: string | undefined,
        assignments: string[],
        opts,
        command: Command,
      ) => {
        const ctx = contextOf(command);
        // One argument that is an assignment: the service is this repository's.
        let args = assignments;
        let serviceName = name;
        if (name && (name.includes('=') || /^[A-Z_][A-Z0-9_]*$/.test(name))) {
          args = [name, ...assignments];
          serviceName = undefined;
        }
        const service = await resolveService(serviceName);
        const set = await parseAssignments(args);
        const portal = await ctx.portal();
        const result = await portal.deployments('ChangeSecrets', {
          params: params(service, opts.env),
          body: { set, ...(opts.dryRun ? { dryRun: true } : {}) },
        });
        await finish(
          ctx,
          result,
          opts.follow,
          `Set ${Object.keys(set).join(', ')}`,
        );
      },
    );

  secrets
    .command('unset')
    .description(
      "Remove keys from the environment's own secret and restart the service",
    )
    .argument('<keys...>', 'the keys (the first may be the service)')
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option('--dry-run', 'say what would change; change nothing')
    .option('--no-follow', 'return once the restart has started')
    .option('-y, --yes', 'do not ask')
    .action(async (keys: string[], opts, command: Command) => {
      const ctx = contextOf(command);
      let serviceName: string | undefined;
      if (keys.length > 1 && !/^[A-Z_][A-Z0-9_]*$/.test(keys[0])) {
        serviceName = keys.shift();
      }
      const service = await resolveService(serviceName);
      await confirm(
        ctx,
        `Unset ${keys.join(', ')} in ${service.name} (${
          opts.env
        }) and restart it?`,
        opts.yes || opts.dryRun,
      );
      const portal = await ctx.portal();
      const result = await portal.deployments('ChangeSecrets', {
        params: params(service, opts.env),
        body: { unset: keys, ...(opts.dryRun ? { dryRun: true } : {}) },
      });
      await finish(ctx, result, opts.follow, `Unset ${keys.join(', ')}`);
    });

  secrets
    .command('rotate')
    .description(
      'New values for generated keys (default: all of them) and restart the service',
    )
    .argument('[service]', "the service (default: this repository's)")
    .argument('[keys...]', 'the keys (default: every generated one)')
    .option('-e, --env <environment>', 'the environment', 'staging')
    .option('--dry-run', 'say what would change; change nothing')
    .option('--no-follow', 'return once the restart has started')
    .option('-y, --yes', 'do not ask')
    .action(
      async (
        name: string | undefined,
        given: string[],
        opts,
        command: Command,
      ) => {
        const ctx = contextOf(command);
        let serviceName = name;
        let keys = given;
        if (name && /^[A-Z_][A-Z0-9_]*$/.test(name)) {
          keys = [name, ...given];
          serviceName = undefined;
        }
        const service = await resolveService(serviceName);
        await confirm(
          ctx,
          `Rotate ${keys.length ? keys.join(', ') : 'every generated key'} of ${
            service.name
          } (${opts.env}) and restart it?`,
          opts.yes || opts.dryRun,
        );
        const portal = await ctx.portal();
        const result = await portal.deployments('RotateSecrets', {
          params: params(service, opts.env),
          body: {
            ...(keys.length ? { keys } : {}),
            ...(opts.dryRun ? { dryRun: true } : {}),
          },
        });
        await finish(ctx, result, opts.follow, 'Rotated');
      },
    );
}

/** Asks on a TTY; without one (scripts, CI), a destructive command needs --yes. */
export async function confirm(
  ctx: Context,
  question: string,
  yes: boolean | undefined,
) {
  if (yes || ctx.options.yes) return;
  if (!process.stdin.isTTY || ctx.out.json) {
    throw new CliError(
      `${question} (not asked: no terminal)`,
      EXIT.usage,
      'add --yes to go ahead',
    );
  }
  process.stderr.write(`${question} [y/N] `);
  const answer = await new Promise<string>(resolve => {
    process.stdin.once('data', data => resolve(String(data).trim()));
  });
  process.stdin.pause();
  if (!/^y(es)?$/i.test(answer)) {
    throw new CliError('cancelled', EXIT.failed);
  }
}
