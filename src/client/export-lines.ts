/**
 * The lines of an export stream (src/domain/export-stream.ts) read from their bytes. A chunk's
 * line is the one hot path of an export: up to about a megabyte, decoded and parsed in runs of
 * whole rows of at most 64 KiB (one string of more than 64 KiB decodes 20–40× slower, see
 * json-bytes.ts), and each row checked by checkExportRow, then dropped: the chunk keeps the
 * line's bytes and, when its writer encodes rows, each run's text (export-row-runs.ts). A line in any
 * other layout than the server writes is parsed whole by JSON.parse instead: slower, the same
 * result (test/unit/export-lines.test.ts holds the two equal).
 */
import { batchOfRows, type EventBatch, type RowEncoder } from '../domain/event-batch.js';
import {
  EXPORT_ROW_FIELDS,
  type ExportRow,
  type ExportStreamEnd,
  ExportStreamError,
  type ExportStreamHead,
} from '../domain/export-stream.js';
import { CLOSE_ARRAY, CLOSE_OBJECT, COMMA, OPEN_ARRAY } from '../format/json-byte-codes.js';
import { type CheckedRows, checkRun, chunkOfRuns, parseRowRun, type RowRun } from './export-row-runs.js';
import { endOfContainer, endOfString, startsWithBytes } from './json-bytes.js';

/**
 * A chunk of the stream: its events, oldest first, and the cursor after the last of them (null
 * only when a server without the stream was paged and its one page has no cursor after it).
 */
export interface ExportChunk extends EventBatch {
  cursor: string | null;
}

/** A chunk of the stream itself: checked rows, how many, the first and last, and a cursor. */
export type StreamChunk = EventBatch & {
  rows: readonly ExportRow[];
  cursor: string;
  count: number;
  first: ExportRow | undefined;
  last: ExportRow | undefined;
};

export type StreamLine = { chunk: StreamChunk } | { end: ExportStreamEnd };

const RUN_BYTES = 64 * 1024;
const CHUNK_START = Buffer.from('{"cursor":');
const ROWS_KEY = Buffer.from(',"rows":[');
const ROW_BOUNDARY = Buffer.from('],[');

/** The head line: it must name exactly EXPORT_ROW_FIELDS, in order (else this is no export stream). */
export function parseHeadLine(line: Buffer): ExportStreamHead {
  const head = parseJsonLine(line) as Partial<ExportStreamHead> | null;
  const columns = head?.columns;
  if (
    !Array.isArray(columns) ||
    columns.length !== EXPORT_ROW_FIELDS.length ||
    columns.some((name, index) => name !== EXPORT_ROW_FIELDS[index])
  )
    throw new ExportStreamError('its first line does not name the columns of an export');
  const receivedBefore = head?.received_before ?? null;
  if (receivedBefore !== null && typeof receivedBefore !== 'string')
    throw new ExportStreamError("its first line's received_before is not text");
  return { columns, received_before: receivedBefore };
}

/**
 * A line after the head: a chunk or the end. With `encodeRows`, each run of a chunk's rows is
 * also turned into that writer's text once checked (see EventBatch.encoded).
 */
export function parseChunkOrEnd(line: Buffer, encodeRows?: RowEncoder): StreamLine {
  const chunk = chunkInServerLayout(line, encodeRows);
  if (chunk) return { chunk };
  const value = parseJsonLine(line);
  if (isObject(value) && value.end === true) {
    if (!Number.isSafeInteger(value.count) || (value.count as number) < 0)
      throw new ExportStreamError("its end line's count is not a count");
    return { end: { end: true, count: value.count as number } };
  }
  if (!isObject(value) || typeof value.cursor !== 'string' || !Array.isArray(value.rows))
    throw new ExportStreamError('a line is neither a chunk of rows nor the end');
  return { chunk: streamChunk(value.rows as ExportRow[], value.cursor) };
}

/**
 * `{"cursor":"…","rows":[ROW,ROW…]}` as the server writes it, rows split by their brackets and
 * parsed a run at a time; undefined for anything else, which the general parse then reads.
 */
export function chunkInServerLayout(line: Buffer, encodeRows?: RowEncoder): StreamChunk | undefined {
  if (!startsWithBytes(line, CHUNK_START)) return undefined;
  const cursorStart = CHUNK_START.length;
  const cursorEnd = line[cursorStart] === 0x22 ? endOfString(line, cursorStart, line.length) : -1;
  if (cursorEnd === -1 || !startsWithBytes(line, ROWS_KEY, cursorEnd)) return undefined;
  const last = line.length - 2;
  if (line[last] !== CLOSE_ARRAY || line[last + 1] !== CLOSE_OBJECT) return undefined;
  let cursor: unknown;
  try {
    cursor = JSON.parse(line.toString('utf8', cursorStart, cursorEnd));
  } catch {
    return undefined;
  }
  const runs: RowRun[] = [];
  const pieces: string[] = [];
  const checked: CheckedRows = { count: 0, first: undefined, last: undefined };
  for (let runStart = cursorEnd + ROWS_KEY.length; runStart < last; ) {
    let runEnd = guessRunEnd(line, runStart, last);
    const plain = encodeRows?.fromRunText?.(
      line.toString('utf8', runStart, runEnd),
      checked.last?.[1] as string | undefined,
    );
    if (plain) {
      // Encoded from the text: checked as checkRun would, no row made (see csv-plain-rows.ts).
      checked.count += plain.count;
      checked.first ??= plain.first;
      checked.last = plain.last;
      runs.push([runStart, runEnd]);
      pieces.push(plain.text);
      runStart = runEnd + 1;
      continue;
    }
    let rows = parseRowRun(line, runStart, runEnd);
    if (rows === undefined) {
      // The guess fell inside a string (or the rows are no JSON): find the end byte by byte.
      runEnd = scanRunEnd(line, runStart, last);
      rows = runEnd === -1 ? undefined : parseRowRun(line, runStart, runEnd);
      if (rows === undefined) return undefined;
    }
    checkRun(rows, checked);
    runs.push([runStart, runEnd]);
    if (encodeRows) pieces.push(encodeRows(rows));
    runStart = runEnd + 1;
  }
  const encoded = encodeRows ? { encoder: encodeRows, pieces } : undefined;
  return chunkOfRuns(line, runs, cursor as string, checked, encoded);
}

/**
 * Where a run of rows from `start` may end: the last `],[` within RUN_BYTES (a row longer than
 * that is a run of its own), found by the native search. A guess: those bytes may be inside a
 * string, but then the run does not parse (a string or a bracket is left open), so a run that
 * parses ends between two rows.
 */
function guessRunEnd(line: Buffer, start: number, last: number): number {
  if (last - start <= RUN_BYTES) return last;
  const before = line.lastIndexOf(ROW_BOUNDARY, start + RUN_BYTES);
  const boundary = before > start ? before : line.indexOf(ROW_BOUNDARY, start + 1);
  return boundary === -1 || boundary >= last ? last : boundary + 1;
}

/** The end of a run of rows from `start` found by their brackets, or -1 when they are not rows. */
function scanRunEnd(line: Buffer, start: number, last: number): number {
  let at = start;
  while (at < last) {
    if (line[at] !== OPEN_ARRAY) return -1;
    const rowEnd = endOfContainer(line, at, last);
    if (rowEnd === -1) return -1;
    if (rowEnd - start > RUN_BYTES && at > start) return at - 1;
    at = rowEnd;
    if (at < last && line[at++] !== COMMA) return -1;
  }
  return at === last && line[at - 1] !== COMMA ? last : -1;
}

/** A chunk of rows parsed whole (not in the server's layout), checked. */
function streamChunk(rows: readonly ExportRow[], cursor: string): StreamChunk {
  const checked: CheckedRows = { count: 0, first: undefined, last: undefined };
  checkRun(rows, checked);
  const batch = batchOfRows(rows);
  return {
    rows,
    cursor,
    count: checked.count,
    first: checked.first,
    last: checked.last,
    get events() {
      return batch.events;
    },
  };
}

/** A line parsed whole; decoded 64 KiB at a time, then joined (see RUN_BYTES). */
function parseJsonLine(line: Buffer): unknown {
  let text = '';
  let start = 0;
  while (start < line.length) {
    let end = Math.min(line.length, start + RUN_BYTES);
    // Never cut a character: step back to the first byte of the one that crosses the end.
    while (end > start + 1 && end < line.length && ((line[end] as number) & 0xc0) === 0x80) end--;
    text += line.toString('utf8', start, end);
    start = end;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ExportStreamError('a line is not JSON');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
