import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { UsageError } from '../errors.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';
import { describeSubject, type SubjectFlags, subjectOptions, withSubjectOptions } from './gdpr-subject.js';

interface DeleteOptions extends SubjectFlags {
  yes?: boolean;
  dryRun?: boolean;
}

export function gdprDeleteCommand(context: CliContext): Command {
  return withSubjectOptions(
    new Command('delete')
      .summary("erase one person's personal data (pseudonymize; the events stay)")
      .description(
        "erase one person's personal data: name, email, IP addresses and user agents become a pseudonym. " +
          'The person is exactly the identifiers you give and the server account they name; identifiers that ' +
          'events pair with them are listed by --dry-run, and erased only once you confirm them with --also',
      ),
  )
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--dry-run', 'show how many events would change, change nothing')
    .addHelpText(
      'after',
      examples(
        '$ audit gdpr delete --user bob@example.com --dry-run',
        '$ audit gdpr delete --user bob@example.com          # asks you to type the user back',
        '$ audit gdpr delete --user user_3f7a92 --yes        # in a script',
        '$ audit gdpr delete --user bob@example.com --also user_3f7a92 --also-name "Bob Marsh" --dry-run',
      ),
    )
    .action(async (options: DeleteOptions, command: Command) => {
      const session = await openSession(context, command);
      const interactive = Boolean(context.stdin.isTTY && context.stderr.isTTY);
      if (!options.dryRun && !options.yes && !interactive) {
        throw new UsageError(
          'refusing to erase without a terminal to confirm on; add --yes to confirm in a script',
        );
      }
      // Never retried automatically: a person, not a retry loop, decides to erase again.
      const client = await session.client({ attempts: 1 });
      try {
        const subject = subjectOptions(options);
        const preview = await client.gdprErase(options.user, { ...subject, dryRun: true });
        const details = describeSubject(preview.subject, preview.candidates);
        const scope = `${preview.events_changed} events${preview.accounts_changed ? ` and ${preview.accounts_changed} account` : ''}`;
        if (preview.events_changed === 0 && preview.accounts_changed === 0) {
          writeLine(
            context.stderr,
            `Nothing to erase for ${options.user} (${preview.events_matched} events mention them, none still identify them).`,
          );
          for (const line of details) writeLine(context.stderr, line);
          return;
        }
        if (options.dryRun) {
          writeLine(
            context.stdout,
            `Would erase ${options.user} from ${scope} (of ${preview.events_matched} that mention them); pseudonym ${preview.pseudonym}.`,
          );
          for (const line of details) writeLine(context.stdout, line);
          return;
        }
        if (!options.yes) {
          for (const line of details) writeLine(context.stderr, line);
          await confirm(context, options.user, scope);
        }
        // Only the IP addresses and user agents shown above: any paired with the person since
        // the dry run are left for another request, never erased unseen.
        const confirmed = {
          ip_addresses: preview.subject?.ip_addresses ?? [],
          user_agents: preview.subject?.user_agents ?? [],
        };
        const report = await client.gdprErase(options.user, { ...subject, confirmed });
        writeLine(
          context.stdout,
          `Erased ${options.user} from ${report.events_changed} events${report.accounts_changed ? ` and ${report.accounts_changed} account` : ''}; they now read ${report.pseudonym}.`,
        );
      } finally {
        await client.close();
      }
    });
}

async function confirm(context: CliContext, user: string, scope: string): Promise<void> {
  writeLine(
    context.stderr,
    `This replaces the name, email, IP addresses and user agents of ${user} in ${scope} with a pseudonym. It cannot be undone.`,
  );
  const { input } = await import('@inquirer/prompts');
  const typed = await input(
    { message: `Type ${user} to confirm` },
    { output: context.stderr as NodeJS.WriteStream },
  );
  if (typed.trim() !== user) throw new UsageError('what you typed does not match; nothing was erased');
}
