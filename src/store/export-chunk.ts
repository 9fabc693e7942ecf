import type { PageCursor } from '../domain/cursor.js';
import { EXPORT_ROW_FIELDS } from '../domain/export-stream.js';
import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { Db } from './database.js';
import { type EventFieldColumn, FIELD_COLUMNS } from './event-columns.js';
import { buildPageQuery } from './event-query.js';
import { jsonExpression } from './event-rows.js';
import { createStatementCache } from './statement-cache.js';
import { createTextDrivenCheck } from './text-driven.js';

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

/**
 * The columns whose values may be long (the ingest schema, src/server/schemas/event.ts: a
 * description of 2,000 characters, a user agent of 1,024, changes and metadata of 64 KiB each).
 * Every other field is at most 512 characters, and usually a few dozen bytes.
 */
const LONG_VALUE_COLUMNS: ReadonlySet<string> = new Set(['description', 'user_agent', 'changes', 'metadata']);

/** What the estimate allows a short field's JSON: a typical value, its quotes and its comma. */
const SHORT_FIELD_BYTES = 16;

/**
 * About the bytes of a row's JSON, from the stored lengths of its long values alone:
 * octet_length reads a value's size from the record header without loading the value, so rows
 * past a chunk's byte cap are measured without being built. Measuring every column cost the
 * chunk about 15 % more CPU (bench/export-stream-cpu.mjs) for rows whose size the long values
 * decide anyway. Escapes are not counted, nor short fields longer than the allowance: a chunk of
 * such rows comes out larger than EXPORT_CHUNK_MAX_BYTES, by at most their excess.
 */
export const EXPORT_ROW_SIZE_SQL = [
  ...EXPORT_ROW_COLUMNS.filter((column) => LONG_VALUE_COLUMNS.has(column.name)).map(
    (column) => `ifnull(octet_length(${column.name}), 0)`,
  ),
  String(SHORT_FIELD_BYTES * EXPORT_ROW_COLUMNS.length),
].join(' + ');

/**
 * One chunk in one statement, around `pageSql`: a page of `seq, ts, size` rows in (ts, seq)
 * order after the cursor (event-query.ts's buildPageQuery, so filters, visibility and keyset
 * are the list's own). Of the page it keeps the first @chunkRows rows whose running size starts
 * below @chunkBytes (so always the first row), builds their JSON arrays, and joins them in
 * (ts, seq) order. Answers one row: the joined rows as bytes (null when none), their count,
 * and the last kept row's ts and seq (the bare columns of the one max() aggregate, which SQLite
 * documents to come from the row holding the maximum). Bytes, not text: a BLOB reaches the
 * socket as it is, where text would be decoded into a JavaScript string and encoded again,
 * a third of the chunk's CPU. CROSS JOIN keeps `picked` the outer loop (SQLite never reorders
 * it), so the rows reach group_concat in picked's (ts, seq) order without an ORDER BY in the
 * aggregate, which copied every built row through a temporary B-tree to sort it again (0.5 µs
 * a row); test/unit/export-chunk-sql.test.ts holds the plan and the order.
 */
export function exportChunkSql(pageSql: string): string {
  return `WITH page AS (${pageSql}),
  picked AS (
    SELECT seq, ts, row_number() OVER running AS n, sum(size) OVER running - size AS before
    FROM page WINDOW running AS (ORDER BY ts, seq ROWS UNBOUNDED PRECEDING)
  )
  SELECT CAST(group_concat(${exportRowSql('events')}, ',') AS BLOB), count(*), max(picked.n), picked.ts, picked.seq
  FROM picked CROSS JOIN events ON events.seq = picked.seq
  WHERE picked.n <= @chunkRows AND picked.before < @chunkBytes`;
}

/** What the page inside exportChunkSql selects. */
export const EXPORT_PAGE_COLUMNS = `seq, ts, ${EXPORT_ROW_SIZE_SQL} AS size`;

/** One chunk of the streamed export: its rows' JSON arrays joined with commas, and where it ends. */
export interface ExportChunk {
  /** The rows' JSON, `[…],[…]`, as UTF-8 bytes; empty when the range has no more. */
  rows: Buffer;
  count: number;
  /** The last row's time and position, for the chunk's cursor. */
  last: { ts: number; seq: number } | undefined;
}

/** Where a chunk starts and how large it may grow. */
export interface ExportChunkRequest {
  cursor: PageCursor | undefined;
  maxRows: number;
  maxBytes: number;
}

/** Chunk statements kept prepared: an export uses two shapes (without and with a cursor). */
const CHUNK_STATEMENT_CACHE_SIZE = 50;

export type ExportChunkReader = ReturnType<typeof createExportChunkReader>;

/** The export route's read (a server reader: store/server-reads.ts). */
export function createExportChunkReader(db: Db) {
  const isTextDriven = createTextDrivenCheck(db);
  // Each filter shape's statement is prepared once and kept while it is among the recently used.
  const statements = createStatementCache(db, CHUNK_STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql).raw(true));
  return {
    /**
     * The streamed export's next chunk after `request.cursor`, oldest first: one statement, so
     * one short read transaction of its own.
     */
    exportChunk(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      request: ExportChunkRequest,
    ): ExportChunk {
      const page = buildPageQuery(EXPORT_PAGE_COLUMNS, orgId, filter, scope, {
        order: 'asc',
        limit: request.maxRows,
        cursor: request.cursor,
        textDriven: isTextDriven(filter),
      });
      const params = { ...page.params, chunkRows: request.maxRows, chunkBytes: request.maxBytes };
      const [rows, count, , ts, seq] = statements.get(exportChunkSql(page.sql)).get(params) as [
        Buffer | null,
        number,
        number | null,
        number | null,
        number | null,
      ];
      const last = ts === null || seq === null ? undefined : { ts, seq };
      return { rows: rows ?? Buffer.alloc(0), count, last };
    },
  };
}
