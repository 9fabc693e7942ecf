import { Command } from 'commander';
import { serverCommand } from './commands/server.js';
import type { CliContext } from './context.js';
import { packageVersion } from './version.js';

/** The command tree: a plain list; each command lives in its own file under commands/. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('audit')
    .description(
      "Administer your organization's audit log: list, search, tail, export, back up, GDPR requests.",
    )
    .version(packageVersion(), '-V, --version')
    .option('--profile <name>', 'configuration profile to use (env AUDIT_PROFILE)')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
  program.exitOverride();

  program.addCommand(serverCommand(context));

  // Subcommands inherit the exit override and output so every error reaches run().
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}
