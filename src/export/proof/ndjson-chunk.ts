/**
 * The rows of a run of NDJSON lines, each hashed to its Merkle leaf under the salt of the entry
 * it would be if the run's first row were entry `firstIndex`: the work of `audit verify FILE`
 * that a worker thread does (ndjson-pool.ts). Row by row it is what the serial reader gives
 * (exportRows' eventRow, then the check's rowLeafHash), in a form that crosses threads cheaply;
 * test/unit/ndjson-chunk.test.ts holds the two equal.
 */
import { isUtf8 } from 'node:buffer';
import { isBlankLine } from './blank-line.js';
import { eventRow } from './export-rows.js';
import { HEADER, lineLeafHash } from './ndjson-line-leaf.js';
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

/** Header bytes of the rows read by lineLeafHash, gathered for one latin1 string a run of them. */
let headerBytes = Buffer.alloc(64 * 1024);

/**
 * `bytes` are whole lines joined by "\n" (`firstLine`: they start the file, where a byte order
 * mark is dropped). `salts` holds `count` salts of 32 bytes, entry i at 32 i. A line in the
 * exporter's plain layout is hashed from its bytes (ndjson-line-leaf.ts) when the run is valid
 * UTF-8; any other line is decoded and parsed. `plainLines`: false to parse every line (tests).
 */
export function hashNdjsonChunk(
  bytes: Buffer,
  firstLine: boolean,
  firstIndex: number,
  salts: Uint8Array,
  count: number,
  plainLines = true,
): HashedChunk {
  const utf8 = plainLines && isUtf8(bytes);
  // One row at most a line.
  const most = lineCountOf(bytes);
  const lines = new Int32Array(most);
  const kinds = new Uint8Array(most);
  const hashes = new Uint8Array(most * 32);
  const headers: string[] = [];
  const headerEnds = new Int32Array(most * 3);
  if (headerBytes.length < bytes.length) headerBytes = Buffer.alloc(bytes.length);
  const gathered = headerBytes;
  let headerByteEnd = 0;
  let headerBytesTaken = 0;
  let headerEnd = 0;
  const problems: string[] = [];
  let rows = 0;
  let at = 0;
  for (let start = 0; at < most; at++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const lineStart = start;
    start = end + 1;
    const index = firstIndex + rows;
    let from = lineStart;
    if (at === 0 && firstLine && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) from = 3;
    if (utf8 && index < count && lineLeafHash(bytes, from, end, salts, index * 32, hashes, rows * 32)) {
      const r = rows++;
      lines[r] = at;
      for (let f = 0; f < 3; f++) {
        const headerStart = (HEADER[2 * f] as number) + 1;
        const headerStop = (HEADER[2 * f + 1] as number) - 1;
        // Byte by byte: a dozen to thirty bytes, fewer than a native call costs.
        for (let i = headerStart; i < headerStop; i++) gathered[headerByteEnd++] = bytes[i] as number;
        headerEnd += headerStop - headerStart;
        headerEnds[3 * r + f] = headerEnd;
      }
      continue;
    }
    let lineText = bytes.toString('utf8', lineStart, end);
    if (at === 0 && firstLine && lineText.startsWith('\uFEFF')) lineText = lineText.slice(1);
    if (isBlankLine(lineText)) continue;
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
    if (headerByteEnd > headerBytesTaken) {
      headers.push(headerBytes.toString('latin1', headerBytesTaken, headerByteEnd));
      headerBytesTaken = headerByteEnd;
    }
    for (let f = 0; f < 3; f++) {
      const header = fields[f] as string;
      headers.push(header);
      headerEnd += header.length;
      headerEnds[3 * r + f] = headerEnd;
    }
    if (index >= count) continue;
    hashes.set(rowLeafHash(fields, salts.subarray(index * 32, index * 32 + 32)), r * 32);
  }
  if (headerByteEnd > headerBytesTaken)
    headers.push(headerBytes.toString('latin1', headerBytesTaken, headerByteEnd));
  return {
    firstIndex,
    rows,
    lineCount: most,
    lines: lines.slice(0, rows),
    kinds: kinds.slice(0, rows),
    hashes: hashes.slice(0, rows * 32),
    headerText: headers.join(''),
    headerEnds: headerEnds.slice(0, rows * 3),
    problems,
  };
}

/** The lines of `bytes` split on "\n" (one more than its newlines). */
export function lineCountOf(bytes: Buffer): number {
  let lines = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
