import { CommanderError } from 'commander';
import { CliError, EXIT } from './errors';
import { EXIT_INTERRUPTED, Interrupted } from './follow';
import { createProgram } from './program';

/** Runs the CLI; resolves with the exit code. Errors are one line on stderr (and a JSON body on stdout with --json). */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; commander has printed them.
      if (error.exitCode === 0) return EXIT.ok;
      if (json)
        printJsonError(
          'UsageError',
          error.message.replace(/^error: /, ''),
          EXIT.usage,
        );
      return EXIT.usage;
    }
    if (error instanceof Interrupted) {
      if (json)
        process.stdout.write(
          `${JSON.stringify(
            { interrupted: true, deployment: error.deployment },
            null,
            2,
          )}\n`,
        );
      return EXIT_INTERRUPTED;
    }
    const failure =
      error instanceof CliError
        ? error
        : new CliError((error as Error)?.message ?? String(error), EXIT.failed);
    process.stderr.write(`paved: ${failure.message}\n`);
    if (failure.suggestion) process.stderr.write(`  → ${failure.suggestion}\n`);
    if (process.env.PAVED_DEBUG && error instanceof Error) {
      process.stderr.write(`${error.stack}\n`);
    }
    if (json) {
      printJsonError(
        failure.errorName ?? 'CliError',
        failure.message,
        failure.exitCode,
        failure.suggestion,
      );
    }
    return failure.exitCode;
  }
}

function printJsonError(
  name: string,
  message: string,
  exitCode: number,
  suggestion?: string,
) {
  process.stdout.write(
    `${JSON.stringify(
      {
        error: {
          name,
          message,
          exitCode,
          ...(suggestion ? { suggestion } : {}),
        },
      },
      null,
      2,
    )}\n`,
  );
}
