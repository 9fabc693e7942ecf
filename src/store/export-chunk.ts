import { EXPORT_ROW_FIELDS } from '../domain/export-stream.js';
import { type EventFieldColumn, FIELD_COLUMNS } from './event-columns.js';
import { jsonExpression } from './event-rows.js';

/**
 * The SQL of the streamed export (src/domain/export-stream.ts): a row is the JSON array of an
 * event's fields in EXPORT_ROW_FIELDS order, and a chunk is one statement that picks the rows
 * after a cursor and joins them into one string, so the server never parses or re-serializes an
 * event. test/unit/export-chunk-sql.test.ts holds a row, decoded by exportRowToEvent, equal to
 * the event valuesToEvent reads from the same stored row.
 */

/** The field column behind each EXPORT_ROW_FIELDS name (`part.field`, or a top-level field). */
export const EXPORT_ROW_COLUMNS: readonly EventFieldColumn[] = EXPORT_ROW_FIELDS.map((name) => {
  const column = FIELD_COLUMNS.find(
    (candidate: EventFieldColumn) =>
      (candidate.part === undefined ? candidate.field : `${candidate.part}.${candidate.field}`) === name,
  );
  if (!column) throw new Error(`the export row field "${name}" has no column in event-columns.ts`);
  return column;
});

/** A stored event's export row, built by SQLite from the columns of `table`. */
export function exportRowSql(table: string): string {
  return `json_array(${EXPORT_ROW_COLUMNS.map((column) => jsonExpression(column, table)).join(', ')})`;
}

/** `"` + the 24 characters of an ISO 8601 time + `"`. */
const TIME_JSON_BYTES = 26;

/**
 * About the bytes of a row's JSON (and the comma after it), from the stored lengths alone:
 * octet_length reads a value's size from the record header without loading the value, so the
 * rows past a chunk's byte cap are measured without being built. It counts no escapes, so a row
 * of quotes and control characters is larger than this says.
 */
export const EXPORT_ROW_SIZE_SQL = [
  ...EXPORT_ROW_COLUMNS.map((column) => {
    if (column.encoding === 'time') return String(TIME_JSON_BYTES);
    // A string gains its quotes; a missing value is `null`.
    const quotes = column.encoding === 'json' ? 0 : 2;
    return `ifnull(octet_length(${column.name}) + ${quotes}, 4)`;
  }),
  // The brackets, the commas between the values, and the comma after the row.
  String(EXPORT_ROW_COLUMNS.length + 2),
].join(' + ');

/**
 * One chunk in one statement, around `pageSql`: a page of `seq, ts, size` rows in (ts, seq)
 * order after the cursor (event-query.ts's buildPageQuery, so filters, visibility and keyset
 * are the list's own). Of the page it keeps the first @chunkRows rows whose running size starts
 * below @chunkBytes (so always the first row), builds their JSON arrays, and joins them in
 * (ts, seq) order. Answers one row: the joined rows (null when none), their count, and the last
 * kept row's ts and seq (the bare columns of the one max() aggregate, which SQLite documents to
 * come from the row holding the maximum).
 */
export function exportChunkSql(pageSql: string): string {
  return `WITH page AS (${pageSql}),
  picked AS (
    SELECT seq, ts, row_number() OVER running AS n, sum(size) OVER running - size AS before
    FROM page WINDOW running AS (ORDER BY ts, seq ROWS UNBOUNDED PRECEDING)
  )
  SELECT group_concat(${exportRowSql('events')}, ',' ORDER BY picked.n), count(*), max(picked.n), picked.ts, picked.seq
  FROM picked JOIN events ON events.seq = picked.seq
  WHERE picked.n <= @chunkRows AND picked.before < @chunkBytes`;
}

/** What the page inside exportChunkSql selects. */
export const EXPORT_PAGE_COLUMNS = `seq, ts, ${EXPORT_ROW_SIZE_SQL} AS size`;
