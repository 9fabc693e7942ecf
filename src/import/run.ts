/**
 * Reads records and sends them in batches of up to 1000, one batch in memory at a time. Each
 * batch is read (and so checked) completely before it is sent; a malformed record stops the
 * import with the batch that holds it unsent, so everything already imported is a prefix of the
 * file made of whole batches, and a second run after fixing the line stores nothing twice.
 */
import type { EventInput } from '../domain/event.js';
import type { ImportRecord } from './readers.js';

export const IMPORT_BATCH_SIZE = 1000;

export interface IngestSummary {
  created: number;
  duplicates: number;
}

export interface ImportProgress {
  /** Events read from the file so far. */
  read: number;
  /** Events the server acknowledged (0 in a dry run). */
  sent: number;
  created: number;
  duplicates: number;
  /** Of the events sent (read, in a dry run), those without an `id`: they cannot be deduplicated. */
  withoutId: number;
  batches: number;
}

export interface ImportOptions {
  /** Sends one batch; absent for `--dry-run`, which reads and counts only. */
  ingest?: (events: EventInput[], signal: AbortSignal | undefined) => Promise<IngestSummary>;
  batchSize?: number;
  /** Aborted when the user interrupts: the import stops between batches (or aborts the one in flight). */
  signal?: AbortSignal;
  onProgress?: (progress: Readonly<ImportProgress>) => void;
}

/** Why an import stopped early, with how far it got. */
export class ImportStoppedError extends Error {
  constructor(
    readonly failure: unknown,
    readonly progress: ImportProgress,
    /** The records of the batch that was being sent when the server refused it, if that is what failed. */
    readonly batch: readonly ImportRecord[] | undefined,
    readonly interrupted: boolean,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

export async function importRecords(
  records: AsyncIterable<ImportRecord>,
  options: ImportOptions = {},
): Promise<ImportProgress> {
  const { ingest, signal, onProgress } = options;
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  const progress: ImportProgress = { read: 0, sent: 0, created: 0, duplicates: 0, withoutId: 0, batches: 0 };
  let batch: ImportRecord[] = [];
  let sending: ImportRecord[] | undefined;

  const flush = async () => {
    if (batch.length === 0) return;
    const withoutId = batch.filter((item) => item.event.id === undefined).length;
    if (ingest) {
      sending = batch;
      const summary = await ingest(
        batch.map((item) => item.event),
        signal,
      );
      sending = undefined;
      progress.sent += batch.length;
      progress.created += summary.created;
      progress.duplicates += summary.duplicates;
    }
    progress.withoutId += withoutId;
    progress.batches += 1;
    batch = [];
    onProgress?.(progress);
  };

  try {
    for await (const record of records) {
      if (signal?.aborted) break;
      progress.read += 1;
      batch.push(record);
      if (batch.length >= batchSize) await flush();
    }
    if (!signal?.aborted) await flush();
  } catch (error) {
    throw new ImportStoppedError(error, progress, sending, Boolean(signal?.aborted));
  }
  if (signal?.aborted) throw new ImportStoppedError(signal.reason, progress, undefined, true);
  return progress;
}
