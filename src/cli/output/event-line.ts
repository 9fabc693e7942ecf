import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { AuditEvent } from '../../domain/event.js';
import { createPalette, isSecurityRelevant } from './colors.js';
import { CSV_COLUMNS, eventToCsvRecord, LIST_HEADERS, listRow } from './columns.js';
import { sanitizeForDisplay, stringifyJsonSafely } from './sanitize.js';

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

/**
 * `audit tail`: each event printed the moment it arrives. `-o json` and `ndjson` both give one
 * event a line (an array could never be closed while following); `csv` writes its header first;
 * a terminal gets aligned, coloured lines, anything else tab-separated ones.
 */
export function createLineWriter(
  format: string | undefined,
  out: NodeJS.WritableStream,
  options: LineWriterOptions,
): (event: AuditEvent) => void {
  let written = 0;
  const encode = lineEncoder(format, out, options);
  return (event) => {
    out.write(encode(event, written === 0));
    written += 1;
  };
}

type LineEncoder = (event: AuditEvent, first: boolean) => string;

function lineEncoder(
  format: string | undefined,
  out: NodeJS.WritableStream,
  options: LineWriterOptions,
): LineEncoder {
  const terminal = (out as { isTTY?: boolean }).isTTY === true;
  if (format === 'json' || format === 'ndjson') return (event) => `${stringifyJsonSafely(event)}\n`;
  if (format === 'csv') {
    return (event, first) => {
      const record = eventToCsvRecord(event);
      const cells = CSV_COLUMNS.map((column) =>
        terminal ? sanitizeForDisplay(record[column]) : record[column],
      );
      return `${first ? `${CSV_COLUMNS.join(',')}\n` : ''}${stringifyCsv([cells])}`;
    };
  }
  if (format === 'tsv' || (format === undefined && !terminal)) {
    return (event, first) => {
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

  return (event, first) => {
    const header = first ? `${palette.header(layout(LIST_HEADERS))}\n` : '';
    const line = layout(listRow(event, options.zone));
    const style = isSecurityRelevant(event) ? palette.alert : palette.category(event.category);
    return `${header}${style(line)}\n`;
  };
}

/** `text` cut to `width` with `…`, padded to it when `pad`. Code points approximate cells. */
function fitToWidth(text: string, width: number, pad: boolean): string {
  const characters = [...text];
  if (characters.length > width) return `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
  return pad ? text + ' '.repeat(width - characters.length) : text;
}
