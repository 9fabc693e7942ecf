/**
 * CSV rows of an export back to the 18 fields a leaf commits to: RFC 4180 records (a quoted cell
 * may hold commas, quotes and line breaks), the header must be the 18 export columns in order,
 * the formula guard of the export undone (domain/formula-cells.ts), and `changes`/`metadata`
 * parsed and written as canonical JSON, as the leaf holds them.
 */
import { canonicalJson } from '../../domain/canonical-json.js';
import { neutralizeFormula, restoreFormulaCell } from '../../domain/formula-cells.js';
import { CSV_COLUMNS } from '../../format/columns.js';
import type { FileRow } from './export-rows.js';
import type { LineBatch } from './file-lines.js';

const HEADER = CSV_COLUMNS.join(',');
const JSON_CELLS_FROM = CSV_COLUMNS.indexOf('changes');

export async function* csvRows(lines: AsyncIterable<LineBatch>): AsyncGenerator<FileRow[]> {
  let header = true;
  // A record whose quoted cell runs on to the next line: its text so far and its first line.
  let open: { line: number; text: string } | undefined;
  for await (const { first, lines: batch } of lines) {
    const rows: FileRow[] = [];
    for (let i = 0; i < batch.length; i++) {
      const raw = batch[i] as string;
      const text = open ? `${open.text}\n${raw}` : raw;
      const line = open ? open.line : first + i;
      if (quotesOpen(raw, open !== undefined)) {
        open = { line, text };
        continue;
      }
      open = undefined;
      const record = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (header) {
        header = false;
        if (record !== HEADER)
          rows.push({
            line,
            problem: 'is not the header of the 18 export columns (a proof covers whole events)',
            frame: true,
          });
        continue;
      }
      if (record === '') continue;
      rows.push(csvRow(line, record));
    }
    yield rows;
  }
  if (open)
    yield [{ line: open.line, problem: 'opens a quoted cell that never closes — the file was cut off' }];
}

// Whether a record is still inside a quoted cell at the end of this line: an odd count of quotes
// flips the state (a doubled quote inside a cell counts two and flips nothing).
function quotesOpen(line: string, wasOpen: boolean): boolean {
  let open = wasOpen;
  for (let at = line.indexOf('"'); at !== -1; at = line.indexOf('"', at + 1)) open = !open;
  return open;
}

function csvRow(line: number, record: string): FileRow {
  const cells = splitRecord(record);
  if (cells === undefined) return { line, problem: 'is not a well-formed CSV record' };
  if (cells.length !== CSV_COLUMNS.length)
    return { line, problem: `has ${cells.length} cells, not the ${CSV_COLUMNS.length} export columns` };
  const fields = cells.map(restoreFormulaCell);
  // The value is the same with or without the guard, but a cell without it is a live formula
  // in a spreadsheet: a file changed that way is not the file the export wrote.
  const unguarded = cells.findIndex(
    (cell, at) => at < JSON_CELLS_FROM && neutralizeFormula(fields[at] as string) !== cell,
  );
  for (let at = JSON_CELLS_FROM; at < fields.length; at++) {
    const cell = fields[at] as string;
    if (cell === '') continue;
    try {
      fields[at] = canonicalJson(JSON.parse(cell));
    } catch {
      return { line, problem: `has a ${CSV_COLUMNS[at]} cell that is not JSON` };
    }
  }
  if (unguarded !== -1)
    return { line, fields, problem: `has a ${CSV_COLUMNS[unguarded]} cell whose formula guard was removed` };
  return { line, fields };
}

/** The cells of one RFC 4180 record; undefined when a quote stands where none may. */
export function splitRecord(record: string): string[] | undefined {
  if (!record.includes('"')) return record.split(',');
  const cells: string[] = [];
  let at = 0;
  for (;;) {
    if (record[at] === '"') {
      let cell = '';
      let from = at + 1;
      for (;;) {
        const quote = record.indexOf('"', from);
        if (quote === -1) return undefined;
        cell += record.slice(from, quote);
        if (record[quote + 1] === '"') {
          cell += '"';
          from = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      cells.push(cell);
      if (at === record.length) return cells;
      if (record[at] !== ',') return undefined;
      at++;
    } else {
      const comma = record.indexOf(',', at);
      const cell = comma === -1 ? record.slice(at) : record.slice(at, comma);
      if (cell.includes('"')) return undefined;
      cells.push(cell);
      if (comma === -1) return cells;
      at = comma + 1;
    }
  }
}
