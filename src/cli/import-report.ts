/**
 * What `audit import` says on stderr: a spinner on a terminal, otherwise nothing until one
 * closing line; and, when it stops early, one line saying where, why and what was imported.
 */

import { AuditApiError } from '../client/errors.js';
import type { RetryInfo } from '../client/http.js';
import { MAX_BODY_BYTES } from '../domain/request-limits.js';
import { counted } from '../format/counted.js';
import { MalformedInputError } from '../import/lines.js';
import type { ImportProgress, ImportStoppedError } from '../import/run.js';
import { ImportSourceError } from '../import/source.js';
import type { CliContext } from './context.js';
import { writeLine } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { toCliError } from './to-cli-error.js';

export interface ImportReporter {
  progress(progress: Readonly<ImportProgress>): void;
  retry(info: RetryInfo): void;
  done(summary: string): void;
  /** Clears the spinner before an error line. */
  stop(): void;
}

const numbers = new Intl.NumberFormat('en-US');
const they = (n: number) => (n === 1 ? 'it' : 'they');
const count = (n: number, noun = 'event') => counted(n, noun);

export async function createImportReporter(
  context: CliContext,
  name: string,
  dryRun: boolean,
): Promise<ImportReporter> {
  if (!context.stderr.isTTY || !((context.stderr as NodeJS.WriteStream).columns > 0)) {
    return { progress() {}, retry() {}, done: (summary) => writeLine(context.stderr, summary), stop() {} };
  }
  const { default: ora } = await import('ora');
  const verb = dryRun ? 'Reading' : 'Importing';
  const spinner = ora({ stream: context.stderr, text: `${verb} ${name}…`, discardStdin: false }).start();
  let counts = '';
  return {
    progress(progress) {
      counts = dryRun
        ? `${count(progress.read)} read`
        : `${numbers.format(progress.sent)} sent, ${numbers.format(progress.created)} new, ` +
          `${numbers.format(progress.duplicates)} already present`;
      spinner.text = `${verb} ${name}: ${counts}`;
    },
    retry(info) {
      const wait = (info.delayMs / 1000).toFixed(1);
      spinner.text = `${verb} ${name}: ${counts} (retrying: ${info.reason}, next try in ${wait} s)`;
    },
    done(summary) {
      if (spinner.isSpinning) spinner.succeed(summary);
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/** The closing line, e.g. `Imported 5,000 events from a.json: 4,000 new, 1,000 already present.` */
export function importSummary(progress: ImportProgress, name: string, dryRun: boolean): string {
  return `${countsSummary(progress, name, dryRun)}${serverRecordsNote(progress, dryRun)}`;
}

/**
 * Records the server writes about itself (a retention purge, an erasure, its own actors) are
 * refused from any sender, so a backup's copies of them are left out, and said so.
 */
function serverRecordsNote(progress: ImportProgress, dryRun: boolean): string {
  const n = progress.serverRecords;
  if (n === 0) return '';
  const verb = dryRun ? 'would be' : n === 1 ? 'was' : 'were';
  return ` ${count(n, 'record')} of the server's own (such as audit.retention_purged) ${verb} left out: a server writes those only about itself.`;
}

function countsSummary(progress: ImportProgress, name: string, dryRun: boolean): string {
  if (dryRun) {
    const noId =
      progress.withoutId > 0
        ? ` ${count(progress.withoutId)} without an id would be stored anew each time (${they(progress.withoutId)} cannot be deduplicated).`
        : '';
    return `Read ${count(progress.read)} from ${name}; nothing was sent (--dry-run).${noId}`;
  }
  const noId =
    progress.withoutId > 0
      ? ` ${count(progress.withoutId)} had no id: ${they(progress.withoutId)} cannot be deduplicated, so importing this file again would store ${progress.withoutId === 1 ? 'it' : 'them'} again.`
      : '';
  return (
    `Imported ${count(progress.sent)} from ${name}: ${numbers.format(progress.created)} new, ` +
    `${numbers.format(progress.duplicates)} already present.${noId}`
  );
}

/** The error an import that stopped early ends with: the SPEC's exit code and one line. */
export function importFailure(stopped: ImportStoppedError, name: string, dryRun: boolean): CliError {
  const { failure, progress, batch } = stopped;
  const before = (fix: boolean) =>
    `${soFar(progress, dryRun, 'before it')}${rerun(progress, dryRun, fix ? 'Fix the file and run' : 'Run')}`;
  if (stopped.interrupted) {
    return new CliError(
      `interrupted; ${soFar(progress, dryRun, '')}${rerun(progress, dryRun, 'Run')}`,
      EXIT.interrupted,
      { cause: failure },
    );
  }
  if (failure instanceof MalformedInputError) {
    const unsent = progress.read - progress.sent;
    const batchNote =
      dryRun || unsent === 0
        ? ''
        : ` The ${count(unsent)} read after those, in the same batch, were not sent.`;
    return new UsageError(`${failure.where ?? name}: ${failure.reason}; ${before(true)}${batchNote}`, {
      cause: failure,
    });
  }
  if (failure instanceof ImportSourceError)
    return new UsageError(`${failure.message}; ${before(true)}`, { cause: failure });
  if (failure instanceof AuditApiError && failure.status === 400) {
    const index = /^events\[(\d+)\]/.exec(failure.problem?.param ?? '')?.[1];
    const record = index === undefined ? undefined : batch?.[Number(index)];
    const detail = failure.summary.replace(/events\[\d+\]\.?/, '');
    const where = record ? `${record.where}: the server refused this event` : 'the server refused a batch';
    return new UsageError(`${where} (${detail}); ${before(true)}`, { cause: failure });
  }
  // Refused credentials, or a request refused as sent: running the same command again would not help.
  const auth =
    failure instanceof AuditApiError && (failure.kind === 'unauthenticated' || failure.kind === 'forbidden');
  const refusedAsSent = failure instanceof AuditApiError ? REFUSED_AS_SENT[failure.status] : undefined;
  const advice = refusedAsSent ? ` ${refusedAsSent}` : auth ? '' : rerun(progress, dryRun, 'Run');
  const after = `; ${soFar(progress, dryRun, 'before the failure')}${advice}`;
  const known = toCliError(failure, { suffix: after });
  if (known) return known;
  throw failure;
}

/** What to do when the same batches would be refused again: a 413 or a 415 is about the request itself. */
const REFUSED_AS_SENT: Record<number, string> = {
  413: `A batch was larger than the server, or a proxy in front of it, takes (this client sends up to ${MAX_BODY_BYTES / 1024 / 1024} MiB at a time): raise that limit, or shorten or remove the largest events in the file, then import it again.`,
  415: 'The server, or a proxy in front of it, refused the JSON this client sends: check that --server names the audit server itself.',
};

/** `3,000 events before it were imported (2,000 new, 1,000 already present).` */
function soFar(progress: ImportProgress, dryRun: boolean, when: string): string {
  const at = when ? ` ${when}` : '';
  const verb = (done: string) => (when === 'before it' ? `before it were ${done}` : `were ${done}${at}`);
  if (dryRun) return `${count(progress.read)} ${verb('read')}; nothing was sent (--dry-run).`;
  if (progress.sent === 0) return 'nothing was imported.';
  const split = `${numbers.format(progress.created)} new, ${numbers.format(progress.duplicates)} already present`;
  return `${count(progress.sent)} ${verb('imported')} (${split}).`;
}

function rerun(progress: ImportProgress, dryRun: boolean, first: string): string {
  if (dryRun || progress.sent === 0) return '';
  const caveat =
    progress.withoutId > 0 ? ` (except the ${count(progress.withoutId)} without an id, which would be)` : '';
  return ` ${first} the same command again: events already imported are not stored twice${caveat}.`;
}
