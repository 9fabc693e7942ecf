import { Command } from 'commander';
import type { CliContext } from './context.js';
import { safeErrorText } from './errors.js';
import { addGlobalOptions } from './globals.js';
import { examples } from './parse-options.js';
import { packageVersion } from './version.js';

/** `audit` itself, before any command is added: its output, its errors, its global flags. */
export function rootProgram(context: CliContext): Command {
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
  return program;
}

/** Subcommands inherit the exit override and output so every error reaches run(). */
export function inheritOutput(program: Command): Command {
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
