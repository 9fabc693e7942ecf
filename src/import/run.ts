/**
 * Reads records and sends them in batches of up to 1000 events and IMPORT_BATCH_BYTES, one
 * batch in memory at a time. The server's own records in the file (see domain/server-records)
 * are counted and left out: only the server writes those, and it refuses them from a sender. Each
 * batch is read (and so checked) completely before it is sent; a malformed record stops the
 * import with the batch that holds it unsent, so everything already imported is a prefix of the
 * file made of whole batches, and a second run after fixing the line stores nothing twice.
 */
import type { EventInput } from '../domain/event.js';
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from '../domain/request-limits.js';
import { reservedFieldOf } from '../domain/server-records.js';
import type { ImportRecord } from './readers.js';

export const IMPORT_BATCH_SIZE = MAX_BATCH_EVENTS;
/** A batch's JSON stays this far under the server's body limit (the `{"events":[…]}` around it). */
export const IMPORT_BATCH_BYTES = MAX_BODY_BYTES - 1024;

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
  /** The server's own records read from the file, left out (not sent). */
  serverRecords: number;
  batches: number;
}

export interface ImportOptions {
  /** Sends one batch; absent for `--dry-run`, which reads and counts only. */
  ingest?: (events: EventInput[], signal: AbortSignal | undefined) => Promise<IngestSummary>;
  batchSize?: number;
  /** The most JSON bytes of events in one batch (default IMPORT_BATCH_BYTES). */
  batchBytes?: number;
  /** Aborted when the user interrupts: the import stops between batches (or aborts the one in flight). */
  signal?: AbortSignal;
  onProgress?: (progress: Readonly<ImportProgress>) => void;
}

/** Why an import stopped early, with how far it got. */
export class ImportStoppedError extends Error {
  override readonly name = 'ImportStoppedError';
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
  const batchBytes = options.batchBytes ?? IMPORT_BATCH_BYTES;
  const progress: ImportProgress = {
    read: 0,
    sent: 0,
    created: 0,
    duplicates: 0,
    withoutId: 0,
    serverRecords: 0,
    batches: 0,
  };
  let batch: ImportRecord[] = [];
  let bytes = 0;
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
    bytes = 0;
    onProgress?.(progress);
  };

  try {
    for await (const record of records) {
      if (signal?.aborted) break;
      progress.read += 1;
      if (reservedFieldOf(record.event)) {
        progress.serverRecords += 1;
        continue;
      }
      // One more for the comma between events in the batch's JSON.
      const size = Buffer.byteLength(JSON.stringify(record.event)) + 1;
      if (batch.length > 0 && bytes + size > batchBytes) await flush();
      batch.push(record);
      bytes += size;
      if (batch.length >= batchSize) await flush();
    }
    if (!signal?.aborted) await flush();
  } catch (error) {
    throw new ImportStoppedError(error, progress, sending, Boolean(signal?.aborted));
  }
  if (signal?.aborted) throw new ImportStoppedError(signal.reason, progress, undefined, true);
  return progress;
}
