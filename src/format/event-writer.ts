import type { AuditEvent } from '../domain/event.js';
import { batchLength, type EventBatch, type RowEncoder } from '../domain/event-batch.js';
import type { ExportRow } from '../domain/export-stream.js';
import { type JsonField, pickFields } from './column-choice.js';
import { type CsvColumn, LIST_COLUMNS, type ListColumn, listHeaders, listRow } from './columns.js';
import { csvHeader, csvLine, csvRowLines } from './csv.js';
import { csvOfPlainRows } from './csv-plain-rows.js';
import { stringifyJsonSafely } from './sanitize.js';

/** The formats that are text streams, one event after another (the terminal's table is not). */
export type StreamFormat = 'tsv' | 'json' | 'ndjson' | 'csv';

export interface EventWriterOptions {
  /** IANA zone TSV shows times in. */
  zone: string;
  /**
   * `out` already holds events of this format from an earlier writer (a resumed export): no CSV
   * header or opening `[` again, and JSON closes as a non-empty array.
   */
  continues?: boolean;
  /** TSV: these columns, in this order (`--columns`); default LIST_COLUMNS. */
  columns?: readonly ListColumn[] | undefined;
  /** CSV: these export columns (`--columns`); default every one, in the SPEC's order. */
  csvColumns?: readonly CsvColumn[] | undefined;
  /** JSON, NDJSON: only these top-level fields of each event (`--json FIELDS`). */
  fields?: readonly JsonField[] | undefined;
}

export interface EventWriter {
  /** Resolves once `out` accepts more (it waits for 'drain'); rejects if `out` fails or closes. */
  write(event: AuditEvent): Promise<void>;
  /**
   * Several events as one chunk: one write (and one gzip call) per page instead of per event.
   * A batch of rows is written without decoding its events by a format that writes rows (CSV),
   * and a batch this writer's `encodeRows` encoded as it arrived is written as that text.
   */
  writeMany(batch: EventBatch): Promise<void>;
  /**
   * Rows to this writer's text, for a reader that encodes each run of rows as it parses it
   * (src/client/export-lines.ts); undefined for a format that writes events, not rows.
   */
  readonly encodeRows?: RowEncoder | undefined;
  /** Finishes the format (closing `]`, the buffered table). `out` itself stays open: it may be stdout. */
  end(): Promise<void>;
  readonly count: number;
}

/** What a format makes of the events: text chunks, in order. */
export interface FormatEncoder {
  /** Text before the first event (a header line). */
  start?: string;
  event(event: AuditEvent, index: number): string;
  /** The same text from the events' export rows, for a format that writes them as fast (CSV). */
  rows?: RowEncoder | undefined;
  finish(count: number): string;
}

/**
 * The one writer every list goes through, whatever the format. With no events, table, TSV and
 * NDJSON write nothing at all — the caller says "No events found." on stderr, so a script's
 * stdout stays empty — while JSON still writes `[]` and CSV its header, so files stay valid.
 */
export function createEventWriter(
  format: StreamFormat,
  out: NodeJS.WritableStream,
  options: EventWriterOptions,
): EventWriter {
  return createEncodedWriter(streamEncoder(format, options, isTerminal(out)), out, options);
}

/** A writer over any encoder: the CLI's table is one that buffers until `finish`. */
export function createEncodedWriter(
  encoder: FormatEncoder,
  out: NodeJS.WritableStream,
  options: Pick<EventWriterOptions, 'continues'> = {},
): EventWriter {
  const sink = createSink(out);
  const earlier = options.continues ? 1 : 0;
  let count = 0;
  const startAt = (index: number) => (index === 0 ? (encoder.start ?? '') : '');
  return {
    encodeRows: encoder.rows,
    write(event) {
      const index = earlier + count;
      count += 1;
      return sink.write(startAt(index) + encoder.event(event, index));
    },
    writeMany(batch) {
      // Handed over a piece at a time: one string of a whole page (hundreds of KB) is turned into
      // bytes several times slower than pieces of 16K characters (V8 flattens and encodes a
      // string that large apart: 2.0 ms against 0.35 ms for a page of CSV, bench of 2026-12-06).
      const pieces: string[] = [];
      const { rows } = encoder;
      if (rows && batch.encoded?.encoder === rows) {
        const length = batchLength(batch);
        if (length > 0) pieces.push(startAt(earlier + count), ...batch.encoded.pieces);
        count += length;
        return sink.write(pieces);
      }
      // A format that writes rows (CSV) takes a batch of rows a run at a time when it can: each
      // run is dropped once written (see src/client/export-row-runs.ts).
      const runs = rows && (batch.rowRuns?.() ?? (batch.rows ? [batch.rows] : undefined));
      if (rows && runs) {
        for (const run of runs) {
          if (run.length === 0) continue;
          pieces.push(startAt(earlier + count), rows(run));
          count += run.length;
        }
        return sink.write(pieces);
      }
      let piece = '';
      for (const event of batch.events) {
        const index = earlier + count;
        piece += startAt(index) + encoder.event(event, index);
        count += 1;
        if (piece.length >= PIECE_CHARS) {
          pieces.push(piece);
          piece = '';
        }
      }
      pieces.push(piece);
      return sink.write(pieces);
    },
    async end() {
      try {
        await sink.write(encoder.finish(earlier + count));
      } finally {
        sink.release();
      }
    },
    get count() {
      return count;
    },
  };
}

function isTerminal(out: NodeJS.WritableStream): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}

function streamEncoder(format: StreamFormat, options: EventWriterOptions, terminal: boolean): FormatEncoder {
  const { zone, fields, csvColumns } = options;
  const columns = options.columns ?? LIST_COLUMNS;
  const json =
    fields === undefined
      ? stringifyJsonSafely
      : (event: AuditEvent) => stringifyJsonSafely(pickFields(event, fields));
  switch (format) {
    case 'tsv': {
      return {
        start: tsvHeader(zone, columns),
        event: (event) => `${listRow(event, zone, columns).join('\t')}\n`,
        finish: () => '',
      };
    }
    case 'json':
      return {
        event: (event, index) => `${index === 0 ? '[\n' : ',\n'}${json(event)}`,
        finish: (count) => (count === 0 ? '[]\n' : '\n]\n'),
      };
    case 'ndjson':
      return { event: (event) => `${json(event)}\n`, finish: () => '' };
    case 'csv': {
      const header = csvHeader(csvColumns);
      return {
        start: header,
        event: (event) => csvLine(event, terminal, csvColumns),
        rows:
          terminal || csvColumns !== undefined
            ? (rows) => csvRowLines(rows, terminal, csvColumns)
            : Object.assign((rows: readonly ExportRow[]) => csvRowLines(rows, false), {
                fromRunText: csvOfPlainRows,
              }),
        finish: (count) => (count === 0 ? header : ''),
      };
    }
  }
}

/** The TSV header line of `columns`, TIME naming the zone. */
export function tsvHeader(zone: string, columns: readonly ListColumn[]): string {
  return `${listHeaders(zone, columns).join('\t')}\n`;
}

/** Characters of text handed to `out` at a time (see writeMany). */
const PIECE_CHARS = 16 * 1024;

interface Sink {
  /** A chunk, or pieces written one after the other (with one wait for 'drain' after them). */
  write(chunk: string | readonly string[]): Promise<void>;
  release(): void;
}

/** Writes in order, waiting for 'drain' when `out` asks to, and remembering a failure of `out`. */
function createSink(out: NodeJS.WritableStream): Sink {
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  out.on('error', onError);
  // Chained so that writes the caller does not await still wait for each other's drain.
  let tail: Promise<void> = Promise.resolve();

  const writeNow = async (chunk: string | readonly string[]) => {
    if (failure) throw failure;
    if ((out as { destroyed?: boolean }).destroyed) throw destroyedError();
    let room = true;
    for (const piece of typeof chunk === 'string' ? [chunk] : chunk)
      if (piece !== '') room = out.write(piece);
    if (!room) await drained(out);
  };

  return {
    write(chunk) {
      tail = tail.then(() => writeNow(chunk));
      return tail;
    },
    release() {
      out.removeListener('error', onError);
    },
  };
}

function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.removeListener('drain', onDrain);
      out.removeListener('error', onError);
      out.removeListener('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(destroyedError());
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

function destroyedError(): Error {
  return Object.assign(new Error('Cannot write: the output was closed'), { code: 'ERR_STREAM_DESTROYED' });
}
