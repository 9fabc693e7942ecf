import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { LIST_HEADERS, listRow } from '../../format/columns.js';
import { CSV_HEADER, csvLine } from '../../format/csv.js';
import { isPrintableJsonText, stringifyJsonSafely } from '../../format/sanitize.js';
import { createPalette } from './colors.js';

export interface LineWriterOptions {
  zone: string;
  color: boolean;
  terminalWidth?: number;
}

// Fixed widths for TIME, CATEGORY, ACTION, ACTOR, TARGET, IP: a followed log cannot wait for
// every row to size its columns, so the columns are set once and the description takes the rest.
const FOLLOW_WIDTHS = [19, 8, 28, 20, 20, 15];
const GAP = '  ';
const MIN_DESCRIPTION = 20;

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
  if (format === 'json' || format === 'ndjson') {
    return (item) =>
      `${item.text !== undefined && isObjectLine(item.text) ? item.text : stringifyJsonSafely(item.event)}\n`;
  }
  if (format === 'csv') return ({ event }, first) => (first ? CSV_HEADER : '') + csvLine(event, terminal);
  if (format === 'tsv' || (format === undefined && !terminal)) {
    return ({ event }, first) => {
      const line = `${listRow(event, options.zone).join('\t')}\n`;
      return first ? `${LIST_HEADERS.join('\t')}\n${line}` : line;
    };
  }
  return alignedLineEncoder(options);
}

function alignedLineEncoder(options: LineWriterOptions): LineEncoder {
  const palette = createPalette(options.color);
  const fixed = FOLLOW_WIDTHS.reduce((sum, width) => sum + width + GAP.length, 0);
  const descriptionWidth =
    options.terminalWidth === undefined
      ? undefined
      : Math.max(MIN_DESCRIPTION, options.terminalWidth - fixed);
  const layout = (cells: readonly string[]) =>
    cells
      .map((cell, index) => {
        const width = FOLLOW_WIDTHS[index] ?? descriptionWidth;
        return width === undefined ? cell : fitToWidth(cell, width, index < FOLLOW_WIDTHS.length);
      })
      .join(GAP)
      .trimEnd();

  return ({ event }, first) => {
    const header = first ? `${palette.header(layout(LIST_HEADERS))}\n` : '';
    const line = layout(listRow(event, options.zone));
    const style = isSecurityRelevant(event) ? palette.alert : palette.category(event.category);
    return `${header}${style(line)}\n`;
  };
}

/** JSON text of an object that may be printed as it came: one safe line. */
function isObjectLine(text: string): boolean {
  return text.startsWith('{') && text.endsWith('}') && isPrintableJsonText(text);
}

/** `text` cut to `width` with `…`, padded to it when `pad`. Code points approximate cells. */
function fitToWidth(text: string, width: number, pad: boolean): string {
  const characters = [...text];
  if (characters.length > width) return `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
  return pad ? text + ' '.repeat(width - characters.length) : text;
}
