import type { AuditEvent } from '../domain/event.js';
import { neutralizeFormula } from '../domain/formula-cells.js';
import { CSV_COLUMNS, type CsvColumn, csvCells } from './columns.js';
import { sanitizeForDisplay } from './sanitize.js';

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** The header line of a CSV of `columns` (default: every export column, in the SPEC's order). */
export function csvHeader(columns?: readonly CsvColumn[]): string {
  return columns === undefined ? CSV_HEADER : `${columns.join(',')}\n`;
}

const POSITION = new Map<CsvColumn, number>(CSV_COLUMNS.map((column, index) => [column, index]));

/** Where the JSON cells (changes, metadata) start in a row of csvCells. */
const JSON_CELLS_FROM = CSV_COLUMNS.indexOf('changes');

/**
 * One CSV line of `event`, newline included: every export column, or only `columns` in their order. A file keeps the data exact; only a terminal
 * reading CSV directly gets it made safe for display first.
 */
export function csvLine(event: AuditEvent, terminal: boolean, columns?: readonly CsvColumn[]): string {
  const cells = csvCells(event);
  if (columns !== undefined) {
    // Chosen columns (`--columns`): fewer cells, each quoted as it needs, formulas neutralized all the same.
    const chosen = columns.map((column) => cells[POSITION.get(column) as number] as string);
    return `${chosen.map((cell) => csvCell(terminal ? sanitizeForDisplay(cell) : cell)).join(',')}\n`;
  }
  if (terminal) return `${cells.map((cell) => csvCell(sanitizeForDisplay(cell))).join(',')}\n`;
  // The text cells rarely need quotes: one scan of them joined (by a character that is never
  // special) decides for all, instead of a test per cell. The last two are JSON (changes,
  // metadata), which nearly always holds a quote: those are tested on their own.
  const json = cells.splice(JSON_CELLS_FROM);
  const text = CSV_NEEDS_QUOTES.test(cells.join('\u0001')) ? cells.map(csvCell) : cells;
  return `${text.join(',')},${json.map(csvCell).join(',')}\n`;
}

// RFC 4180 as csv-stringify writes it by default (the same bytes, about 3× faster per row): a
// cell with a quote, comma, CR or LF is quoted, its quotes doubled.
const CSV_NEEDS_QUOTES = /[",\r\n]/;
function csvCell(cell: string): string {
  return CSV_NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** One CSV line of any cells (a report's rows, not events'): formulas defused, quoted as needed. */
export function csvRecord(cells: readonly string[]): string {
  return `${cells.map((cell) => csvCell(neutralizeFormula(cell))).join(',')}\n`;
}
