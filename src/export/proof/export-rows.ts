/**
 * The rows of an export file as the 18 fields a Merkle leaf commits to (domain/merkle/leaf.ts),
 * with the line each starts on: JSON (an array, one event a line as `audit export` writes it),
 * NDJSON and CSV (the 18 export columns, formula guard undone). Streamed in batches.
 */
import type { AuditEvent } from '../../domain/event.js';
import type { ProofContent } from '../../domain/merkle/export-proof.js';
import { leafFields } from '../../domain/merkle/leaf.js';
import { isBlankLine, trimJsonWhitespace } from './blank-line.js';
import { csvRows } from './csv-rows.js';
import type { LineBatch } from './file-lines.js';

export interface FileRow {
  /** The line the row starts on. */
  line: number;
  /** The 18 fields; undefined when the row cannot be read (`problem` says why; with fields, a flaw of the line itself). */
  fields?: string[];
  problem?: string;
  /** Not an event's row but the file's frame (a JSON array's brackets, a CSV header): no entry. */
  frame?: true;
  /**
   * The row's leaf hash, computed ahead (ndjson-pool.ts) under the salt of entry `index`
   * (null: its fields cannot be hashed); `fields` then holds only the id, time and category.
   */
  hashed?: { index: number; hash: Buffer };
}

export function exportRows(
  content: ProofContent,
  lines: AsyncIterable<LineBatch>,
): AsyncGenerator<FileRow[]> {
  if (content === 'csv') return csvRows(lines);
  if (content === 'ndjson') return ndjsonRows(lines);
  return jsonArrayRows(lines);
}

/** A row of one line of JSON text. */
export function eventRow(line: number, text: string): FileRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, problem: 'is not a complete JSON event' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line, problem: 'is not a JSON event object' };
  try {
    return { line, fields: leafFields(value as AuditEvent) };
  } catch {
    // A number past JSON's range (1e999 parses as Infinity) has no canonical text: no exporter
    // writes one, so the line was edited.
    return { line, problem: 'holds a number JSON cannot hold' };
  }
}

async function* ndjsonRows(lines: AsyncIterable<LineBatch>): AsyncGenerator<FileRow[]> {
  for await (const { first, lines: batch } of lines) {
    const rows: FileRow[] = [];
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i] as string;
      if (isBlankLine(text)) continue;
      rows.push(eventRow(first + i, text));
    }
    yield rows;
  }
}

/**
 * `[`, one event a line (each but the last ending in `,`), `]`: the layout `audit export` writes.
 * A file in another layout (reformatted by hand) cannot be matched line by line: it is refused
 * with a line that says so, which the check reports as a change of the file.
 */
async function* jsonArrayRows(lines: AsyncIterable<LineBatch>): AsyncGenerator<FileRow[]> {
  let state: 'before' | 'inside' | 'after' = 'before';
  for await (const { first, lines: batch } of lines) {
    const rows: FileRow[] = [];
    for (let i = 0; i < batch.length; i++) {
      const line = first + i;
      const text = trimJsonWhitespace(batch[i] as string);
      if (text === '') continue;
      if (state === 'before') {
        if (text === '[') state = 'inside';
        else if (text === '[]') state = 'after';
        else rows.push({ line, problem: 'is not the "[" that opens an exported JSON array', frame: true });
        continue;
      }
      if (state === 'after') {
        rows.push({ line, problem: 'comes after the end of the JSON array', frame: true });
        continue;
      }
      if (text === ']') {
        state = 'after';
        continue;
      }
      rows.push(eventRow(line, text.endsWith(',') ? text.slice(0, -1) : text));
    }
    yield rows;
  }
  if (state === 'inside')
    yield [{ line: 0, problem: 'the JSON array is not closed with "]" — the file was cut off', frame: true }];
}

/** A hash computed ahead must be of this very entry: a reader that skipped or added a row is a bug, not a pass. */
export function hashedAhead(hashed: { index: number; hash: Buffer }, i: number): Buffer {
  if (hashed.index !== i) throw new Error(`row ${i} was hashed as entry ${hashed.index}`);
  return hashed.hash;
}
