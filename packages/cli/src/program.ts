import { Command, Option } from 'commander';
import { addAccountCommands } from './commands/account';
import { addDeployCommands } from './commands/deploy';
import { addGoldenPathCommands } from './commands/golden';
import { addObserveCommands } from './commands/observe';
import { addSecretCommands } from './commands/secrets';
import { completionScript } from './completion';

import { VERSION } from './version';

export { VERSION };

/** The `paved` command tree; parsing errors throw (exitOverride), main() maps them to exit 2. */
export function createProgram(): Command {
  const program = new Command('paved')
    .description(
      "Paved from the terminal: deploy, promote, roll back, read logs and manage secrets of golden-path services, on the portal's APIs.",
    )
    .version(VERSION, '-v, --version')
    .option(
      '--json',
      'print the result as JSON (shapes: schemas/*.json in the package)',
    )
    .option(
      '--portal <url>',
      "the portal's backend (default: PAVED_PORTAL, the one signed in to, http://localhost:7007)",
    )
    .addOption(
      new Option('-y, --yes', 'skip confirmations of destructive commands'),
    )
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Environment: PAVED_TOKEN (a token, e.g. in CI), PAVED_PORTAL, NO_COLOR.
Exit codes: 0 ok, 1 failed operation, 2 bad usage, 3 not signed in or not permitted,
            4 not found, 130 stopped following (Ctrl-C; the operation goes on).

Examples:
  paved login
  paved status
  paved deploy --build latest
  paved deploy promote && paved approve <id>     # approve as another user
  paved logs --since 1h --follow`,
    );

  addAccountCommands(program);
  addObserveCommands(program);
  addDeployCommands(program);
  addSecretCommands(program);
  addGoldenPathCommands(program);

  program
    .command('completion')
    .description('Print a shell completion script')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      `
Examples:
  echo 'source <(paved completion bash)' >> ~/.bashrc
  echo 'source <(paved completion zsh)' >> ~/.zshrc`,
    )
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        program.error(`completion: unknown shell "${shell}"; use bash or zsh`, {
          exitCode: 2,
          code: 'paved.usage',
        });
      }
      process.stdout.write(completionScript(program, shell as 'bash' | 'zsh'));
    });

  // Every subcommand: throw instead of exiting, so main() picks the exit code.
  const inherit = (command: Command) => {
    command.exitOverride().showSuggestionAfterError();
    command.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}
