/**
 * What makes a chunk of the export stream progress: rows past the ones already handed out. The
 * server is not trusted; one that repeats a chunk, sends one of no rows or moves its cursor back
 * would have a resumed export write the same rows again, or loop forever with every resume
 * looking like progress. Such a chunk breaks the contract (src/domain/export-stream.ts) and is an
 * ExportStreamError before any of its rows is handed out.
 */
import { EXPORT_CHUNK_MAX_ROWS, type ExportRow, ExportStreamError } from '../domain/export-stream.js';

/** Where the export has come to, across resumes: the cursor and the row a next chunk follows. */
export interface ExportPosition {
  /** The cursor the current request was sent with (none for the start of the range). */
  requested: string | undefined;
  /** The last chunk handed out: its cursor and its last row. */
  last?: { cursor: string; id: string; timestamp: string };
}

/**
 * Throws unless `chunk` follows `position`; then moves `position` past it. Its rows are checked
 * (checkExportRow): an id and a timestamp are text. `first` and `last` are its first and last rows.
 */
export function advancePast(
  position: ExportPosition,
  chunk: { count: number; first: ExportRow | undefined; last: ExportRow | undefined; cursor: string },
): void {
  const { count, cursor } = chunk;
  const first = rowPlace(chunk.first);
  const final = rowPlace(chunk.last);
  if (count === 0 || first === undefined || final === undefined)
    throw new ExportStreamError('a chunk has no rows');
  if (count > EXPORT_CHUNK_MAX_ROWS)
    throw new ExportStreamError(`a chunk has ${count} rows, more than ${EXPORT_CHUNK_MAX_ROWS}`);
  if (cursor === position.requested)
    throw new ExportStreamError("a chunk's cursor is the one it was asked to resume after");
  const { last } = position;
  if (last) {
    if (cursor === last.cursor)
      throw new ExportStreamError("a chunk's cursor is the one of the chunk before it");
    if (first.id === last.id) throw new ExportStreamError("a chunk's first row repeats the row before it");
    // Rows come oldest first; a time that does not parse cannot be placed, so it is refused too.
    if (!(Date.parse(first.timestamp) >= Date.parse(last.timestamp)))
      throw new ExportStreamError("a chunk's first row is older than the row before it");
  }
  position.last = { cursor, id: final.id, timestamp: final.timestamp };
}

function rowPlace(row: ExportRow | undefined): { id: string; timestamp: string } | undefined {
  return row === undefined ? undefined : { id: row[0] as string, timestamp: row[1] as string };
}
