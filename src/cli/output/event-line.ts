import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { type JsonField, pickFields } from '../../format/column-choice.js';
import { type CsvColumn, LIST_COLUMNS, type ListColumn, listHeaders, listRow } from '../../format/columns.js';
import { csvHeader, csvLine } from '../../format/csv.js';
import { tsvHeader } from '../../format/event-writer.js';
import { isPrintableJsonText, stringifyJsonSafely } from '../../format/sanitize.js';
import { createPalette } from './colors.js';
import { hiddenColumnsNote, layoutCells, planLayout, textWidth, typicalWidths } from './column-layout.js';

export interface LineWriterOptions {
  zone: string;
  color: boolean;
  terminalWidth?: number | undefined;
  /** The columns of aligned lines, in order (default: the list's usual seven). */
  columns?: readonly ListColumn[] | undefined;
  /** Every column, nothing cut or hidden (`--wide`). */
  wide?: boolean | undefined;
  /** Told once, before the first line, that some columns were hidden to fit the terminal. */
  onHiddenColumns?: ((note: string) => void) | undefined;
  /** CSV: the export columns `--columns` chose. */
  csvColumns?: readonly CsvColumn[] | undefined;
  /** JSON: only these fields (`--json FIELDS`). */
  fields?: readonly JsonField[] | undefined;
}

/** An event to print, with the JSON text it arrived as when there is one. */
export interface EventToPrint {
  readonly event: AuditEvent;
  readonly text?: string | undefined;
}

export interface LineWriter {
  /**
   * Prints the event's line: lines written in one turn of the event loop go out as one write.
   * json and ndjson print `text`, the event's JSON as the server sent it (the follower checked
   * that it holds an object), as it is when it is one safe line: it is not serialized again.
   */
  write(item: EventToPrint): void;
  /** Writes out what is waiting now (before exit). */
  flush(): void;
}

/**
 * `audit tail`: each event printed the moment it arrives. `-o json` and `ndjson` both give one
 * event a line (an array could never be closed while following); `csv` writes its header first;
 * a terminal gets aligned, coloured lines, anything else tab-separated ones. The events of one
 * burst (a batch someone ingested) reach `out` in one write, not one write a line: 20 followers
 * of a 1000-event batch were 20,000 writes.
 */
export function createLineWriter(
  format: string | undefined,
  out: NodeJS.WritableStream,
  options: LineWriterOptions,
): LineWriter {
  let written = 0;
  let waiting = '';
  let scheduled = false;
  const encode = lineEncoder(format, out, options);
  const flush = () => {
    scheduled = false;
    if (waiting === '') return;
    const chunk = waiting;
    waiting = '';
    out.write(chunk);
  };
  return {
    write(item) {
      waiting += encode(item, written === 0);
      written += 1;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

type LineEncoder = (item: EventToPrint, first: boolean) => string;

function lineEncoder(
  format: string | undefined,
  out: NodeJS.WritableStream,
  options: LineWriterOptions,
): LineEncoder {
  const terminal = (out as { isTTY?: boolean }).isTTY === true;
  const { fields, csvColumns } = options;
  if ((format === 'json' || format === 'ndjson') && fields !== undefined) {
    return ({ event }) => `${stringifyJsonSafely(pickFields(event, fields))}\n`;
  }
  if (format === 'json' || format === 'ndjson') {
    return (item) =>
      `${item.text !== undefined && isObjectLine(item.text) ? item.text : stringifyJsonSafely(item.event)}\n`;
  }
  if (format === 'csv') {
    const header = csvHeader(csvColumns);
    return ({ event }, first) => (first ? header : '') + csvLine(event, terminal, csvColumns);
  }
  if (format === 'tsv' || (format === undefined && !terminal)) {
    const columns = options.columns ?? LIST_COLUMNS;
    return ({ event }, first) => {
      const line = `${listRow(event, options.zone, columns).join('\t')}\n`;
      return first ? `${tsvHeader(options.zone, columns)}${line}` : line;
    };
  }
  return alignedLineEncoder(options);
}

/**
 * One event a line, under one header. A followed log cannot wait for rows to size its columns:
 * they are planned once from the terminal's width and typical widths, as the table plans them.
 */
function alignedLineEncoder(options: LineWriterOptions): LineEncoder {
  const palette = createPalette(options.color);
  const columns = options.columns ?? LIST_COLUMNS;
  const headers = listHeaders(options.zone, columns);
  const headerWidths = headers.map(textWidth);
  const layout = planLayout({
    columns,
    natural: typicalWidths(columns).map((width, index) => Math.max(width, headerWidths[index] ?? 0)),
    headers: headerWidths,
    terminalWidth: options.terminalWidth,
    wide: options.wide,
  });

  return ({ event }, first) => {
    let header = '';
    if (first) {
      const note = hiddenColumnsNote(layout);
      if (note) options.onHiddenColumns?.(note);
      header = `${palette.header(layoutCells(layout, headers))}\n`;
    }
    const line = layoutCells(layout, listRow(event, options.zone, columns));
    const style = isSecurityRelevant(event) ? palette.alert : palette.category(event.category);
    return `${header}${style(line)}\n`;
  };
}

/** JSON text of an object that may be printed as it came: one safe line. */
function isObjectLine(text: string): boolean {
  return text.startsWith('{') && text.endsWith('}') && isPrintableJsonText(text);
}
