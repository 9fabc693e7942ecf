import { eventToExportRow } from '../../domain/export-stream.js';
import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import type { ExportChunk, ExportChunkRequest } from '../export-chunk.js';
import { EXPORT_ROW_SIZE_SQL } from '../export-chunk.js';
import { buildPageQuery } from './event-query.js';
import { EVENT_COLUMNS, pgValuesToStoredEvent } from './event-rows.js';
import type { Queryable } from './pool.js';

/**
 * The streamed export's next chunk on PostgreSQL, as src/store/export-chunk.ts makes it on
 * SQLite: in one statement (one snapshot), a page of (seq, ts, size) rows after the cursor with
 * the list's own filters, of which the first maxRows rows whose running size starts below
 * maxBytes are kept, measured by the stored length of their long values without reading them
 * (the same estimate as SQLite's). Their JSON arrays are made in JS by eventToExportRow, which
 * gives the bytes SQLite's json_array gives (test/unit/pg-export-chunk.test.ts).
 */
/** SQLite's estimate of a row's size, in PostgreSQL's spelling (the one function it names). */
const ROW_SIZE_SQL = EXPORT_ROW_SIZE_SQL.replaceAll('ifnull(', 'coalesce(');

const PICKED_COLUMNS = EVENT_COLUMNS.split(', ')
  .map((name) => `e.${name}`)
  .join(', ');

export async function readExportChunk(
  db: Queryable,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  request: ExportChunkRequest,
): Promise<ExportChunk> {
  const page = buildPageQuery(`seq, ts, ${ROW_SIZE_SQL} AS size`, orgId, filter, scope, {
    order: 'asc',
    limit: request.maxRows,
    ...(request.cursor ? { cursor: request.cursor } : {}),
  });
  const params = [...page.params, orgId, request.maxRows, request.maxBytes];
  const n = page.params.length;
  const sql = `WITH page AS (${page.sql}),
    picked AS (
      SELECT seq, ts, row_number() OVER running AS n, sum(size) OVER running - size AS before
      FROM page WINDOW running AS (ORDER BY ts, seq ROWS UNBOUNDED PRECEDING)
    )
    SELECT ${PICKED_COLUMNS} FROM picked JOIN events e ON e.org_id = $${n + 1} AND e.ts = picked.ts AND e.seq = picked.seq
    WHERE picked.n <= $${n + 2} AND picked.before < $${n + 3}
    ORDER BY picked.n`;
  const { rows } = await db.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
  const events = rows.map(pgValuesToStoredEvent);
  const last = events.at(-1);
  return {
    rows: Buffer.from(
      events.map((stored) => JSON.stringify(eventToExportRow(stored.event))).join(','),
      'utf8',
    ),
    count: events.length,
    last: last && { ts: Date.parse(last.event.timestamp), seq: last.seq },
  };
}
