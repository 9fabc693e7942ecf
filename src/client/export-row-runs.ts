/**
 * A chunk of the export stream whose rows stay bytes until they are written. Every row is parsed
 * and checked when the chunk arrives, so a bad row stops the export before any row of its chunk
 * is written, but the parsed rows are dropped at once: what is kept is the line (outside the
 * JavaScript heap) and where its runs of rows are, plus, for a writer that encodes rows (CSV),
 * the text each run became as soon as it was checked: the rows are then parsed once. Any other
 * writer parses one run at a time again, writes it and drops it. Kept whole, the ~30,000
 * objects of a chunk's rows outlived young-generation collections: at 1,000,000 rows about
 * 670 MB were promoted to the old generation, a third of the CLI's CPU went to garbage
 * collection and its memory grew with the export (bench of 2026-12-06).
 */
import { batchOfRows, type EncodedRows } from '../domain/event-batch.js';
import { checkExportRow, type ExportRow, ExportStreamError } from '../domain/export-stream.js';
import type { StreamChunk } from './export-lines.js';

/** Bytes [start, end) of a line: rows `ROW,ROW…` that parse as one JSON array. */
export type RowRun = readonly [start: number, end: number];

/** Rows `ROW,ROW…` in bytes [start, end), parsed; undefined when they are not JSON. */
export function parseRowRun(line: Buffer, start: number, end: number): unknown[] | undefined {
  try {
    return JSON.parse(`[${line.toString('utf8', start, end)}]`) as unknown[];
  } catch {
    return undefined;
  }
}

/** What the arrival check learnt of a chunk's rows: how many, and the first and last. */
export interface CheckedRows {
  count: number;
  first: ExportRow | undefined;
  last: ExportRow | undefined;
}

/**
 * Checks the rows of a run (checkExportRow throws on a bad one) and that their times never go
 * back, from the chunk's rows before them on; counts them into `checked`. A chunk whose rows are
 * out of order is refused before any of them is written: `--split` would otherwise reopen a
 * finished period's file and replace it.
 */
export function checkRun(
  rows: readonly unknown[],
  checked: CheckedRows,
): asserts rows is readonly ExportRow[] {
  let previous = checked.last?.[1] as string | undefined;
  for (const row of rows) {
    checkExportRow(row);
    const time = row[1] as string;
    if (previous !== undefined && time < previous)
      throw new ExportStreamError("a chunk's rows go back in time");
    previous = time;
  }
  if (rows.length === 0) return;
  checked.count += rows.length;
  checked.first ??= rows[0] as ExportRow;
  checked.last = rows.at(-1) as ExportRow;
}

/**
 * The chunk of `line` whose runs were checked: rows parsed again when asked for, unless the
 * writer takes the text they were `encoded` into as they were checked.
 */
export function chunkOfRuns(
  line: Buffer,
  runs: readonly RowRun[],
  cursor: string,
  checked: CheckedRows,
  encoded?: EncodedRows,
): StreamChunk {
  // The line outlives the read that brought it: a view into a buffer it does not own (the
  // network's) is copied, so that the bytes parsed again are the bytes checked.
  const owned = line.byteOffset === 0 && line.length === line.buffer.byteLength ? line : Buffer.from(line);
  function* rowRuns(): Generator<readonly ExportRow[]> {
    // Each run parsed as it did when checked: the same bytes give the same rows.
    for (const [start, end] of runs) yield parseRowRun(owned, start, end) as ExportRow[];
  }
  let whole: ReturnType<typeof batchOfRows> | undefined;
  const batch = () => {
    whole ??= batchOfRows([...rowRuns()].flat());
    return whole;
  };
  return {
    cursor,
    count: checked.count,
    first: checked.first,
    last: checked.last,
    encoded,
    rowRuns,
    get rows() {
      return batch().rows as readonly ExportRow[];
    },
    get events() {
      return batch().events;
    },
  };
}
