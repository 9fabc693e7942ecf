/**
 * A run of events in the order they are written. An export receives them from the stream as
 * export rows (src/domain/export-stream.ts), checked as they arrive, and decodes the rows into
 * events only when something asks for the events: a CSV is written from the rows. Decoding every
 * row of a million-row CSV export into objects that nothing read cost about a tenth of the CLI's
 * CPU, most of it in garbage collection (bench of 2026-12-06).
 */
import type { AuditEvent } from './event.js';
import { type ExportRow, exportRowToEvent } from './export-stream.js';

export interface EventBatch {
  /** The events, decoded from `rows` on first use (and kept) when the batch came as rows. */
  readonly events: readonly AuditEvent[];
  /** The events' export rows, one for one, when the batch came as rows. */
  readonly rows?: readonly ExportRow[] | undefined;
  /** How many events, when known without reading `rows` or `events`. */
  readonly count?: number;
  /**
   * The rows a run at a time, each parsed when reached, for a writer that drops each run once
   * written (src/client/export-row-runs.ts); the same rows as `rows`, in order.
   */
  rowRuns?(): Iterable<readonly ExportRow[]>;
  /**
   * The rows already turned into a writer's text as they arrived and were checked (one parse a
   * row, the rows dropped at once): taken only by the writer whose `encodeRows` made it.
   */
  readonly encoded?: EncodedRows | undefined;
}

/** Text `encoder` made of a batch's rows, in pieces (one per run of rows), in order. */
export interface EncodedRows {
  readonly encoder: RowEncoder;
  readonly pieces: readonly string[];
}

/** Rows to a format's text, no header: a writer's own (see EventWriter.encodeRows). */
export interface RowEncoder {
  (rows: readonly ExportRow[]): string;
  /**
   * The same text from the JSON text of a run of rows `[…],[…]` without parsing it, when the
   * rows are in a shape this encoder can read as text and pass checkExportRow, with times in
   * order from `previousTime` on; undefined otherwise (then the rows are parsed and checked).
   */
  readonly fromRunText?:
    | ((text: string, previousTime: string | undefined) => EncodedRunText | undefined)
    | undefined;
}

/** A run of rows encoded from its JSON text: the text, how many rows, the first and last rows' id and time. */
export interface EncodedRunText {
  text: string;
  count: number;
  first: readonly [id: string, timestamp: string];
  last: readonly [id: string, timestamp: string];
}

/** A batch of `rows`, already checked (checkExportRow): the events are decoded when first read. */
export function batchOfRows(rows: readonly ExportRow[]): EventBatch {
  let events: AuditEvent[] | undefined;
  return {
    rows,
    get events() {
      events ??= rows.map(exportRowToEvent);
      return events;
    },
  };
}

export function batchLength(batch: EventBatch): number {
  return batch.count ?? batch.rows?.length ?? batch.events.length;
}

/** The timestamp of the batch's event at `index`, without decoding a batch of rows. */
export function batchTimestamp(batch: EventBatch, index: number): string {
  return batch.rows ? (batch.rows[index]?.[1] as string) : (batch.events[index] as AuditEvent).timestamp;
}

/** Events [start, end) of the batch, as rows when it holds rows. */
export function sliceBatch(batch: EventBatch, start: number, end: number): EventBatch {
  return batch.rows ? batchOfRows(batch.rows.slice(start, end)) : { events: batch.events.slice(start, end) };
}
