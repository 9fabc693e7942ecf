import { Command } from 'commander';
import { sanitizeForDisplay } from '../../format/sanitize.js';
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
      const [{ streamGdprExport }, { writeSubjectAccessFile }, { openOutputFile }] = await Promise.all([
        import('../../client/gdpr-stream.js'),
        import('../../gdpr/subject-access-file.js'),
        import('../../export/atomic-file.js'),
      ]);
      const path = session.flags.output ?? '-';
      try {
        const parts = streamGdprExport(client, options.user, subjectOptions(options));
        // The answer's status first: a refusal leaves no file behind.
        const first = await parts.next();
        const file = await openOutputFile(path, { stdout: context.stdout, namedByUser: true });
        let summary: Awaited<ReturnType<typeof writeSubjectAccessFile>>;
        try {
          summary = await writeSubjectAccessFile(prepend(first, parts), file.stream, {
            subject: options.user,
            generatedAt: new Date(context.now()).toISOString(),
          });
          await file.commit();
        } catch (error) {
          await file.discard().catch(() => undefined);
          throw error;
        }
        if (path !== '-') {
          const who = sanitizeForDisplay(options.user);
          writeLine(
            context.stderr,
            `Wrote ${summary?.count ?? 0} events about ${who} to ${sanitizeForDisplay(path)}.`,
          );
        }
      } finally {
        await client.close();
      }
    });
}

/** `first`, already read from `rest`, and then the rest. */
async function* prepend<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    if (first.done) return;
    yield first.value;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    // Stopped early (the output failed): the answer is not read on.
    await rest.return?.();
  }
}
