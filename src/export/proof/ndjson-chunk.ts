/**
 * The rows of a run of NDJSON lines, each hashed to its Merkle leaf under the salt of the entry
 * it would be if the run's first row were entry `firstIndex`: the work of `audit verify FILE`
 * that a worker thread does (ndjson-pool.ts). Row by row it is what the serial reader gives
 * (exportRows' eventRow, then the check's rowLeafHash), in a form that crosses threads cheaply;
 * test/unit/ndjson-chunk.test.ts holds the two equal.
 */
import { eventRow } from './export-rows.js';
import { rowLeafHash } from './row-leaf.js';

export const HASHED = 0;
/** Not an event (the check reports `problems`); no header, no hash. */
export const UNREADABLE = 2;

export interface HashedChunk {
  /** The index the run's first row was hashed as. */
  firstIndex: number;
  /** Rows: each a non-blank line. */
  rows: number;
  /** Lines of the run (blank ones included). */
  lineCount: number;
  /** Per row, its line within the run (0 = the first). */
  lines: Int32Array;
  /** Per row, HASHED or UNREADABLE. */
  kinds: Uint8Array;
  /** Per row, 32 bytes: its leaf hash when HASHED and within the proof's count. */
  hashes: Uint8Array;
  /**
   * Per row, its id, timestamp and category (three "" when UNREADABLE), joined into one text
   * that `headerEnds` cuts: one string crosses threads much faster than three a row.
   */
  headerText: string;
  /** Per row, three offsets into headerText: where its id, timestamp and category end. */
  headerEnds: Int32Array;
  /** Per UNREADABLE row, in order, what is wrong with it. */
  problems: string[];
}

/** Bytes decoded at most this many at a time: a longer string is allocated apart and decodes ~30× slower. */
const PIECE_BYTES = 64 * 1024;

/**
 * The UTF-8 text of `bytes` split on "\n", decoded a piece of whole lines at a time: the same
 * strings as decoding it whole (a newline is never part of a UTF-8 sequence), much faster.
 */
export function linesOf(bytes: Buffer): string[] {
  const lines: string[] = [];
  for (let start = 0; start <= bytes.length; ) {
    let end = bytes.length;
    if (start + PIECE_BYTES < bytes.length) {
      end = bytes.lastIndexOf(0x0a, start + PIECE_BYTES);
      if (end < start) end = bytes.indexOf(0x0a, start + PIECE_BYTES);
      if (end === -1) end = bytes.length;
    }
    for (const line of bytes.toString('utf8', start, end).split('\n')) lines.push(line);
    start = end + 1;
  }
  return lines;
}

/**
 * `bytes` are whole lines joined by "\n" (`firstLine`: they start the file, where a byte order
 * mark is dropped). `salts` holds `count` salts of 32 bytes, entry i at 32 i.
 */
export function hashNdjsonChunk(
  bytes: Buffer,
  firstLine: boolean,
  firstIndex: number,
  salts: Uint8Array,
  count: number,
): HashedChunk {
  const lineTexts = linesOf(bytes);
  if (firstLine && lineTexts[0]?.startsWith('\uFEFF')) lineTexts[0] = lineTexts[0].slice(1);
  const lines = new Int32Array(lineTexts.length);
  const kinds = new Uint8Array(lineTexts.length);
  const hashes = new Uint8Array(lineTexts.length * 32);
  const headers: string[] = [];
  const headerEnds = new Int32Array(lineTexts.length * 3);
  let headerEnd = 0;
  const problems: string[] = [];
  let rows = 0;
  for (let at = 0; at < lineTexts.length; at++) {
    const lineText = lineTexts[at] as string;
    if (lineText.trim() === '') continue;
    const row = eventRow(0, lineText);
    const r = rows++;
    lines[r] = at;
    if (!row.fields) {
      kinds[r] = UNREADABLE;
      problems.push(row.problem as string);
      headerEnds.fill(headerEnd, 3 * r, 3 * r + 3);
      continue;
    }
    const { fields } = row;
    for (let f = 0; f < 3; f++) {
      const header = fields[f] as string;
      headers.push(header);
      headerEnd += header.length;
      headerEnds[3 * r + f] = headerEnd;
    }
    const index = firstIndex + r;
    if (index >= count) continue;
    hashes.set(rowLeafHash(fields, salts.subarray(index * 32, index * 32 + 32)), r * 32);
  }
  return {
    firstIndex,
    rows,
    lineCount: lineTexts.length,
    lines: lines.slice(0, rows),
    kinds: kinds.slice(0, rows),
    hashes: hashes.slice(0, rows * 32),
    headerText: headers.join(''),
    headerEnds: headerEnds.slice(0, rows * 3),
    problems,
  };
}
