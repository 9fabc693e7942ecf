import type { AuditEvent } from '../domain/event.js';
import { type ExportRow, eventToExportRow } from '../domain/export-stream.js';
import { neutralizeFormula } from '../domain/formula-cells.js';
import { CSV_COLUMNS, type CsvColumn } from './columns.js';
import { sanitizeForDisplay } from './sanitize.js';

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** The header line of a CSV of `columns` (default: every export column, in the SPEC's order). */
export function csvHeader(columns?: readonly CsvColumn[]): string {
  return columns === undefined ? CSV_HEADER : `${columns.join(',')}\n`;
}

const POSITION = new Map<CsvColumn, number>(CSV_COLUMNS.map((column, index) => [column, index]));

/** The text cells of a row come first; changes and metadata (JSON) after them. */
const JSON_CELLS_FROM = CSV_COLUMNS.indexOf('changes');

/**
 * One CSV line of `event`, newline included: every export column, or only `columns` in their
 * order. A file keeps the data exact; only a terminal reading CSV directly gets it made safe for
 * display first.
 */
export function csvLine(event: AuditEvent, terminal: boolean, columns?: readonly CsvColumn[]): string {
  return csvRowLine(eventToExportRow(event), terminal, columns);
}

/**
 * The same line from the event's row (src/domain/export-stream.ts), the one way both are written:
 * nulls empty, changes and metadata as compact JSON, formulas neutralized, quoted as needed.
 */
export function csvRowLine(row: ExportRow, terminal: boolean, columns?: readonly CsvColumn[]): string {
  if (terminal || columns !== undefined) {
    const cells = csvRowCells(row);
    // Chosen columns (`--columns`): fewer cells, each quoted as it needs, formulas neutralized all the same.
    const chosen =
      columns === undefined
        ? cells
        : columns.map((column) => cells[POSITION.get(column) as number] as string);
    return `${chosen.map((cell) => csvCell(terminal ? sanitizeForDisplay(cell) : cell)).join(',')}\n`;
  }
  // An array joined, not a string grown cell by cell: a line of 31 concatenated pieces is a
  // tree V8 must flatten later, which made the export slower (bench of 2026-12-06). The text
  // cells rarely need quotes: one scan of them joined (by a character that is never special)
  // decides for all, instead of a test per cell.
  const cells: string[] = new Array(JSON_CELLS_FROM);
  for (let index = 0; index < JSON_CELLS_FROM; index++) {
    const value = row[index];
    cells[index] = typeof value === 'string' ? neutralizeFormula(value) : '';
  }
  const text = CSV_NEEDS_QUOTES.test(cells.join('\u0001')) ? cells.map(csvCell) : cells;
  return `${text.join(',')},${jsonCell(row[JSON_CELLS_FROM])},${jsonCell(row[JSON_CELLS_FROM + 1])}\n`;
}

/** The lines of `rows` (csvRowLine each), as one string. */
export function csvRowLines(
  rows: readonly ExportRow[],
  terminal: boolean,
  columns?: readonly CsvColumn[],
): string {
  const lines: string[] = new Array(rows.length);
  for (let index = 0; index < rows.length; index++)
    lines[index] = csvRowLine(rows[index] as ExportRow, terminal, columns);
  return lines.join('');
}

/** The cells of a row in CSV_COLUMNS order, unquoted. */
function csvRowCells(row: ExportRow): string[] {
  const cells: string[] = [];
  for (let index = 0; index < JSON_CELLS_FROM; index++) {
    const value = row[index];
    cells.push(typeof value === 'string' ? neutralizeFormula(value) : '');
  }
  for (const value of row.slice(JSON_CELLS_FROM))
    cells.push(value === null || value === undefined ? '' : neutralizeFormula(JSON.stringify(value)));
  return cells;
}

function jsonCell(value: unknown): string {
  return value === null || value === undefined ? '' : csvCell(neutralizeFormula(JSON.stringify(value)));
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
