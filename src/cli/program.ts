import { Command } from 'commander';
import { backupCommand } from './commands/backup.js';
import { completionCommand } from './commands/completion.js';
import { exportCommand } from './commands/export.js';
import { gdprCommand } from './commands/gdpr.js';
import { helpCommand } from './commands/help.js';
import { importCommand } from './commands/import.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { logsCommand } from './commands/logs.js';
import { profileCommand } from './commands/profile.js';
import { reportCommand } from './commands/report.js';
import { searchCommand } from './commands/search.js';
import { serverCommand } from './commands/server.js';
import { statsCommand } from './commands/stats.js';
import { tailCommand } from './commands/tail.js';
import { verifyCommand } from './commands/verify.js';
import { webhooksCommand } from './commands/webhooks.js';
import { whoamiCommand } from './commands/whoami.js';
import type { CliContext } from './context.js';
import { safeErrorText } from './errors.js';
import { addGlobalOptions } from './globals.js';
import { examples } from './parse-options.js';
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
      // commander's own errors read like ours, on one line: "audit: unknown option '--x' (Did you mean …?)".
      outputError: (text, write) =>
        write(
          `${safeErrorText(
            text
              .replace(/^error: /, 'audit: ')
              .trimEnd()
              .replace(/\s*\n\s*/g, ' '),
          )}\n`,
        ),
    });
  addGlobalOptions(program);
  program.exitOverride();
  program.addHelpText('after', ROOT_EXAMPLES);

  program.addCommand(loginCommand(context));
  program.addCommand(logoutCommand(context));
  program.addCommand(whoamiCommand(context));
  program.addCommand(profileCommand(context));
  program.addCommand(logsCommand(context));
  program.addCommand(searchCommand(context));
  program.addCommand(tailCommand(context));
  program.addCommand(statsCommand(context));
  program.addCommand(exportCommand(context));
  program.addCommand(reportCommand(context));
  program.addCommand(importCommand(context));
  program.addCommand(backupCommand(context));
  program.addCommand(gdprCommand(context));
  program.addCommand(verifyCommand(context));
  program.addCommand(webhooksCommand(context));
  program.addCommand(serverCommand(context));
  program.addCommand(completionCommand(context));
  // Replaces commander's implicit help command: the same for commands, plus reference topics.
  program.addCommand(helpCommand(context, program));

  // Subcommands inherit the exit override and output so every error reaches run().
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
  }
  return program;
}

const ROOT_EXAMPLES = examples(
  '$ audit server start --demo                                  # a local server with demo events',
  '$ audit logs --since 24h --category auth,security            # incident: the last day of sign-ins',
  '$ audit tail --action user.login_failed                      # incident: watch failures live',
  '$ audit export --from 2024-05-01 --to 2024-05-31 -o may.csv   # month-end export for the auditor',
  '$ audit backup schedule --at 02:00 --dir /srv/audit-backups  # nightly backup from cron',
).concat(`
Run audit help <command> for a command's flags and examples, audit help environment for the
AUDIT_* variables, audit help exit-codes for what the exit status means.
`);

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}
