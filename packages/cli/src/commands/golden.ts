import { Command, Option } from 'commander';
import { Context, contextOf } from '../context';
import { CliError, EXIT } from '../errors';
import { entityRefOf, resolveService } from '../service';
import { addDbConnectCommand } from './dbConnect';

interface TaskEvent {
  id: number;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: {
    message?: string;
    stepId?: string;
    status?: string;
    error?: { message?: string };
  };
}

/** Runs a template through the scaffolder's API and streams its task log to stderr until it ends. */
async function runTemplate(
  ctx: Context,
  templateRef: string,
  values: Record<string, unknown>,
): Promise<{ taskId: string; status: string; output?: unknown }> {
  const portal = await ctx.portal();
  const { id } = await portal.json<{ id: string }>('/api/scaffolder/v2/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ templateRef, values }),
  });
  ctx.out.note(
    `Task ${id} started (${templateRef}); following its log. Ctrl-C stops following, not the task.`,
  );
  let after: number | undefined;
  for (;;) {
    const events = await portal.json<TaskEvent[]>(
      `/api/scaffolder/v2/tasks/${id}/events${
        after !== undefined ? `?after=${after}` : ''
      }`,
    );
    for (const event of events) {
      after = event.id;
      if (event.type === 'log' && event.body.message) {
        ctx.out.note(
          ctx.out.dim(
            `  ${event.body.stepId ? `[${event.body.stepId}] ` : ''}${
              event.body.message
            }`,
          ),
        );
      }
      if (event.type === 'completion' || event.type === 'cancelled') {
        const task = await portal.json<{ status: string; output?: unknown }>(
          `/api/scaffolder/v2/tasks/${id}`,
        );
        if (task.status !== 'completed') {
          throw new CliError(
            `task ${id} ${task.status}: ${
              event.body.message ?? event.body.error?.message ?? ''
            }`.trim(),
            EXIT.failed,
            'fix what the log says and run the same command again: the golden path resumes where it stopped',
          );
        }
        return { taskId: id, status: task.status, output: task.output };
      }
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

export function addGoldenPathCommands(program: Command) {
  const service = program
    .command('service')
    .description('Golden-path services');
  service
    .command('create')
    .description(
      'Create a service on the golden path (the Create Service template)',
    )
    .argument('<name>', 'its name: lowercase letters, digits and -')
    .requiredOption(
      '--owner <group>',
      'the owning group, e.g. group:default/storefront-team',
    )
    .option('--lang <language>', 'typescript, go or python', 'typescript')
    .option('--db <database>', 'none or postgres', 'none')
    .option('--tier <tier>', 'experimental, standard or critical', 'standard')
    .option('--description <text>', 'one line about it')
    .option('--system <system>', 'the system it belongs to')
    .addHelpText(
      'after',
      `
Examples:
  paved service create payments-api --owner group:default/storefront-team --lang go --db postgres`,
    )
    .action(async (name: string, opts, command: Command) => {
      const ctx = contextOf(command);
      for (const [flag, value, allowed] of [
        ['--lang', opts.lang, ['typescript', 'go', 'python']],
        ['--db', opts.db, ['none', 'postgres']],
        ['--tier', opts.tier, ['experimental', 'standard', 'critical']],
      ] as const) {
        if (!(allowed as readonly string[]).includes(value)) {
          throw new CliError(
            `${flag}: unknown value "${value}"`,
            EXIT.usage,
            `use one of ${allowed.join(', ')}`,
          );
        }
      }
      const result = await runTemplate(ctx, 'template:default/create-service', {
        name,
        owner: opts.owner,
        description: opts.description ?? `${name}, created with paved`,
        ...(opts.system ? { system: opts.system } : {}),
        language: opts.lang,
        database: opts.db,
        tier: opts.tier,
      });
      ctx.out.say(
        `${ctx.out.green('✔')} Created ${name}. Next: paved status ${name}`,
      );
      ctx.out.result({ service: `component:default/${name}`, ...result });
    });

  const db = program.command('db').description("A service's database");
  db.command('create')
    .description(
      'Add a PostgreSQL database to a service (the Provision Database template)',
    )
    .argument('[service]', "the service (default: this repository's)")
    .option('--type <type>', 'the database type (postgres)', 'postgres')
    .addOption(
      new Option(
        '--size <size>',
        'connections the role and database accept: small 10, medium 25, large 50',
      )
        .choices(['small', 'medium', 'large'])
        .default('small'),
    )
    .action(async (name: string | undefined, opts, command: Command) => {
      const ctx = contextOf(command);
      if (opts.type !== 'postgres') {
        throw new CliError(
          `--type: unknown database type "${opts.type}"`,
          EXIT.usage,
          'use --type postgres',
        );
      }
      const target = await resolveService(name);
      const result = await runTemplate(
        ctx,
        'template:default/provision-database',
        {
          component: entityRefOf(target),
          size: opts.size,
        },
      );
      ctx.out.say(
        `${ctx.out.green('✔')} ${
          target.name
        } has a database; its credentials are in its staging secrets (paved secrets list).`,
      );
      ctx.out.result({ service: entityRefOf(target), ...result });
    });
  addDbConnectCommand(db);
}
