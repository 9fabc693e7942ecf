import type { JsonField } from '../../format/column-choice.js';
import type { CsvColumn } from '../../format/columns.js';
import {
  createEncodedWriter,
  createEventWriter,
  type EventWriter,
  type StreamFormat,
} from '../../format/event-writer.js';
import { type TableOptions, tableEncoder } from './table.js';

export type EventFormat = 'table' | StreamFormat;
export const EVENT_FORMATS: readonly EventFormat[] = ['table', 'tsv', 'json', 'ndjson', 'csv'];

export interface ListWriterOptions extends TableOptions {
  /** CSV: the export columns `--columns` chose. */
  csvColumns?: readonly CsvColumn[] | undefined;
  /** JSON, NDJSON: the fields `--json` chose. */
  fields?: readonly JsonField[] | undefined;
}

/** The writer `audit logs` and `audit search` print through: the stream formats, or a table. */
export function createListWriter(
  format: EventFormat,
  out: NodeJS.WritableStream,
  options: ListWriterOptions,
): EventWriter {
  if (format !== 'table') return createEventWriter(format, out, options);
  return createEncodedWriter(tableEncoder(options), out);
}
