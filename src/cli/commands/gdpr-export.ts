import { Command } from 'commander';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';
import { type SubjectFlags, subjectOptions, withSubjectOptions } from './gdpr-subject.js';

export function gdprExportCommand(context: CliContext): Command {
  return withSubjectOptions(
    new Command('export')
      .summary("one person's data: every event in which they appear (subject-access request)")
      .description(
        "one person's data (subject-access request): every event in which they appear, with a summary; " +
          'summary.candidates lists identifiers events pair with them, which --also includes',
      ),
  )
    .addHelpText(
      'after',
      examples(
        '$ audit gdpr export --user bob@example.com -o bob-sar.json     # file written 0600, atomically',
        '$ audit gdpr export --user user_3f7a92 | jq .summary',
      ),
    )
    .action(async (options: SubjectFlags, command: Command) => {
      const session = await openSession(context, command);
      const client = await session.client();
      const answer = await client
        .gdprExport(options.user, subjectOptions(options))
        .finally(() => client.close());
      const document = {
        subject: options.user,
        generated_at: new Date(context.now()).toISOString(),
        summary: answer.summary,
        events: answer.data,
      };
      const path = session.flags.output ?? '-';
      const { openOutputFile } = await import('../../export/atomic-file.js');
      const file = await openOutputFile(path, { stdout: context.stdout, namedByUser: true });
      // Event data is attacker-controlled and this may be a terminal: no raw bidi or C1 characters.
      file.stream.write(`${stringifyJsonSafely(document, 2)}\n`);
      await file.commit();
      if (path !== '-') {
        const who = sanitizeForDisplay(options.user);
        writeLine(
          context.stderr,
          `Wrote ${answer.summary.count} events about ${who} to ${sanitizeForDisplay(path)}.`,
        );
      }
    });
}
