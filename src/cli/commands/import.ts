import { Command } from 'commander';
import type { RetryInfo } from '../../client/http.js';
import type { CliContext } from '../context.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

interface ImportOptions {
  dryRun?: boolean;
}

/**
 * `audit import <file>`: the events of an export or backup back into the server, streamed in
 * batches of 1000 with the bulk retry policy. Ids are sent as they are in the file, and ingest
 * is idempotent by id, so a second run (or a run after a failure) stores nothing twice.
 */
export function importCommand(context: CliContext): Command {
  return new Command('import')
    .summary('send an export or backup file back to the server (idempotent)')
    .description(
      'send the events of an export or backup file (JSON, NDJSON or CSV, gzipped too) back to the server; importing twice stores each event once',
    )
    .argument('<file>', 'the file to read (format from its name, else its content); - reads standard input')
    .option('--dry-run', 'read and check the whole file and count its events; send nothing')
    .addHelpText(
      'after',
      examples(
        '$ audit import audit-logs-2024-05-01.json.gz                # a backup file: run it twice, nothing is stored twice',
        '$ audit import --dry-run q1.csv                             # check the file and count its events',
        '$ audit logs --all -o ndjson | audit --profile new import -   # copy every event to another server',
        '$ gunzip -c archive.ndjson.gz | audit import -',
      ),
    )
    .action(async (file: string, options: ImportOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      const dryRun = Boolean(options.dryRun);
      const [{ openImportSource }, { readRecords }, { importRecords, ImportStoppedError }, report, retry] =
        await Promise.all([
          import('../../import/source.js'),
          import('../../import/readers.js'),
          import('../../import/run.js'),
          import('../import-report.js'),
          import('../../client/retry.js'),
        ]);
      const source = await openImportSource(file, context.stdin);
      let onRetry: (info: RetryInfo) => void = () => {};
      const client = dryRun
        ? undefined
        : await session.client({ attempts: retry.RETRY_ATTEMPTS.bulk, onRetry: (info) => onRetry(info) });
      const reporter = await report.createImportReporter(context, source.name, dryRun);
      onRetry = (info) => reporter.retry(info);
      const stop = new AbortController();
      void context.interrupted.then(() => stop.abort(new Error('interrupted')));
      try {
        const progress = await importRecords(readRecords(source.format, source.chunks), {
          ingest: client && (async (events, signal) => (await client.ingest(events, { signal })).summary),
          signal: stop.signal,
          onProgress: (current) => reporter.progress(current),
        });
        reporter.done(report.importSummary(progress, source.name, dryRun));
      } catch (error) {
        reporter.stop();
        if (error instanceof ImportStoppedError) throw report.importFailure(error, source.name, dryRun);
        throw error;
      } finally {
        await client?.close();
      }
    });
}
