import { constants } from 'node:os';
import { Command } from 'commander';
import { contextOf } from '../context';
import { CliError, EXIT } from '../errors';
import { resolveService } from '../service';

/** psql from PATH, unless PAVED_PSQL names another. */
const psqlOf = (env: NodeJS.ProcessEnv) => env.PAVED_PSQL || 'psql';

/**
 * `paved db connect`: asks the portal for the environment's database login
 * (ConnectDatabase: `paved.database.connect`, audited) and runs psql with the
 * password in its environment only (PGPASSWORD): never on its command line,
 * never printed, never written to a file.
 */
export function addDbConnectCommand(db: Command) {
  db.command('connect')
    .description(
      "Open psql on the service's database, with a login fetched now and never shown",
    )
    .argument('[service]', "the service (default: this repository's)")
    .argument('[psql-args...]', 'passed on to psql, after --')
    .option('-e, --env <environment>', 'the environment', 'staging')
    .addHelpText(
      'after',
      `
The login is the one the environment's pods use; each fetch is in the service's audit
trail (who, when; never the password). psql comes from PATH (or PAVED_PSQL).

Examples:
  paved db connect
  paved db connect orders-api --env production
  paved db connect orders-api -- -c 'select count(*) from orders'
  echo 'select 1' | paved db connect`,
    )
    .action(
      async (
        name: string | undefined,
        psqlArgs: string[],
        opts: { env: string },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        if (ctx.out.json) {
          throw new CliError(
            'db connect opens psql, which prints its own output; it has no --json',
            EXIT.usage,
            "ask psql for machine-readable output instead: paved db connect -- --csv -c '…'",
          );
        }
        // `paved db connect -- -c …` in a service's repository: the first psql argument is no service.
        let service = name;
        let args = psqlArgs;
        if (service?.startsWith('-')) {
          args = [service, ...psqlArgs];
          service = undefined;
        }
        const target = await resolveService(service);
        const portal = await ctx.portal();
        const login = await portal
          .deployments('ConnectDatabase', {
            params: {
              kind: target.kind,
              namespace: target.namespace,
              name: target.name,
              environment: opts.env,
            },
          })
          .catch(error => {
            // No such service, or a service without a database.
            if (error instanceof CliError && error.exitCode === EXIT.notFound) {
              throw new CliError(
                error.message,
                EXIT.notFound,
                `check the name (paved status ${target.name}); a service without a database gets one with: paved db create ${target.name}`,
                error.errorName,
              );
            }
            throw error;
          });
        ctx.out.note(
          ctx.out.dim(
            `Connecting to ${login.database} on ${login.host}:${login.port} as ${login.username} (${opts.env})`,
          ),
        );
        const code = await runPsql(
          psqlOf(process.env),
          [
            '--host',
            login.host,
            '--port',
            String(login.port),
            '--username',
            login.username,
            '--dbname',
            login.database,
            ...args,
          ],
          { ...process.env, PGPASSWORD: login.password },
        );
        if (code !== 0) {
          throw new CliError(
            `psql ended with exit code ${code}`,
            EXIT.failed,
            'psql said why above',
          );
        }
      },
    );
}

/** Runs psql on this terminal; Ctrl-C is psql's (it cancels the query), not ours. */
async function runPsql(
  psql: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { spawn } = await import('node:child_process');
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(psql, args, { stdio: 'inherit', env });
    child.on('error', error => {
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new CliError(
              `${psql} not found`,
              EXIT.failed,
              'install the PostgreSQL client (e.g. apt-get install postgresql-client), or set PAVED_PSQL to its path',
            )
          : error,
      );
    });
    child.on('close', (code, signal) =>
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)),
    );
  }).finally(() => process.removeListener('SIGINT', ignore));
}
