import { Command } from 'commander';
import { backupCommand } from './commands/backup.js';
import { exportCommand } from './commands/export.js';
import { gdprCommand } from './commands/gdpr.js';
import { importCommand } from './commands/import.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { logsCommand } from './commands/logs.js';
import { searchCommand } from './commands/search.js';
import { serverCommand } from './commands/server.js';
import { tailCommand } from './commands/tail.js';
import { webhooksCommand } from './commands/webhooks.js';
import { whoamiCommand } from './commands/whoami.js';
import type { CliContext } from './context.js';
import { addGlobalOptions } from './globals.js';
import { packageVersion } from './version.js';

/** The command tree: a plain list; each command lives in its own file under commands/. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('audit')
    .description(
      "Administer your organization's audit log: list, search, tail, export, back up, GDPR requests.",
    )
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      // commander's own errors read like ours: "audit: unknown option '--x'".
      outputError: (text, write) => write(text.replace(/^error: /, 'audit: ')),
    });
  addGlobalOptions(program);
  program.exitOverride();

  program.addCommand(loginCommand(context));
  program.addCommand(logoutCommand(context));
  program.addCommand(whoamiCommand(context));
  program.addCommand(logsCommand(context));
  program.addCommand(searchCommand(context));
  program.addCommand(tailCommand(context));
  program.addCommand(exportCommand(context));
  program.addCommand(importCommand(context));
  program.addCommand(backupCommand(context));
  program.addCommand(gdprCommand(context));
  program.addCommand(webhooksCommand(context));
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
