import type { AuditEvent } from '../../domain/event.js';
import type { JsonField } from '../../format/column-choice.js';
import type { CsvColumn } from '../../format/columns.js';
import {
  createEncodedWriter,
  createEventWriter,
  type EventWriter,
  type StreamFormat,
} from '../../format/event-writer.js';
import { renderEventTable, type TableOptions } from './table.js';

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
  // A table needs every row to size its columns; a terminal shows a screenful at a time anyway.
  const events: AuditEvent[] = [];
  return createEncodedWriter(
    {
      event: (event) => {
        events.push(event);
        return '';
      },
      finish: (count) => (count === 0 ? '' : renderEventTable(events, options)),
    },
    out,
  );
}
