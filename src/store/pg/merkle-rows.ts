import type { EventFilter } from '../../domain/filters.js';
import { MAX_LEAVES_PER_READ } from '../../domain/request-limits.js';
import { toIso } from '../../domain/time.js';
import { type EventFieldColumn, FIELD_COLUMNS } from '../event-columns.js';
import {
  type ExportLeafPage,
  type ExportLeafRow,
  exportLeafPageOf,
  exportLeavesQuery,
} from '../merkle-export-leaves.js';
import { type LeafRows, MAX_UNSEALED_PER_READ } from '../merkle-leaf-rows.js';
import { buildPageQuery } from './event-query.js';
import { EVENT_COLUMNS, eventJson, pgValuesToStoredEvent } from './event-rows.js';
import type { Queryable } from './pool.js';
import { unescapeText } from './text-escape.js';

/**
 * The Merkle reads of PostgreSQL that join events (leafRows, exportLeaves): the rows are made
 * into JSON here, in JS, where SQLite builds them in SQL (merkle-leaf-rows.ts) — the
 * same values, one decoder (as src/store/pg/event-rows.ts does for events).
 */

const FIELDS = FIELD_COLUMNS.map((column) => `e.${column.name}`).join(', ');
const LEAF_ROWS_SQL = `SELECT leaf.position, leaf.hash, leaf.event_id, leaf.timestamp, leaf.category,
    leaf.commitment, leaf.salt, leaf.event_seq, e.seq IS NOT NULL AS has_event, ${FIELDS}
  FROM merkle_leaves AS leaf LEFT JOIN events AS e ON e.org_id = leaf.org_id AND e.seq = leaf.event_seq
  WHERE leaf.org_id = $1 AND leaf.position >= $2 AND leaf.position < $3 ORDER BY leaf.position`;
const UNSEALED_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = $1 AND seq >= $2 AND seq <= $3
  AND NOT EXISTS (SELECT 1 FROM merkle_leaves AS leaf WHERE leaf.org_id = events.org_id AND leaf.event_seq = events.seq)
  ORDER BY seq LIMIT ${MAX_UNSEALED_PER_READ}`;
const FIRST_FIELD = 9;

/** The 18 fields a leaf commits to, as leafFieldsJsonSql gives them: text as sent, "" for none. */
function leafFieldsOf(row: unknown[]): string[] {
  return FIELD_COLUMNS.map((column: EventFieldColumn, index) => {
    const value = row[FIRST_FIELD + index];
    if (column.encoding === 'time') return toIso(value as number);
    if (value === null) return '';
    return column.encoding === 'json' ? (value as string) : unescapeText(value as string);
  });
}

const hex = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString('hex'));

export async function readLeafRows(
  db: Queryable,
  orgId: number,
  start: number,
  end: number,
): Promise<LeafRows> {
  const last = Math.min(end, start + MAX_LEAVES_PER_READ);
  const { rows } = await db.query<unknown[]>({
    text: LEAF_ROWS_SQL,
    values: [orgId, start, last],
    rowMode: 'array',
  });
  if (rows.length === 0) return { rowsJson: '[]', unsealed: [] };
  const lines = rows.map((row) => {
    const [position, hash, eventId, timestamp, category, commitment, salt, , hasEvent] = row;
    return JSON.stringify([
      position,
      hex(hash as Buffer),
      unescapeText(eventId as string),
      timestamp,
      category,
      hex(commitment as Buffer),
      hex(salt as Buffer | null),
      hasEvent ? leafFieldsOf(row) : null,
    ]);
  });
  const seqs = rows.map((row) => row[7] as number);
  const firstSeq = Math.min(...seqs);
  const lastSeq = Math.max(...seqs);
  // From just after the previous leaf (from the start for the first page), as on SQLite.
  let fromSeq = Number.MIN_SAFE_INTEGER;
  if (start > 0) {
    const previous = await db.query<{ seq: number }>(
      'SELECT event_seq AS seq FROM merkle_leaves WHERE org_id = $1 AND position = $2',
      [orgId, start - 1],
    );
    fromSeq = previous.rows[0] ? previous.rows[0].seq + 1 : firstSeq;
  }
  const unsealed = await db.query<unknown[]>({
    text: UNSEALED_SQL,
    values: [orgId, fromSeq, lastSeq],
    rowMode: 'array',
  });
  return {
    rowsJson: `[\n${lines.join(',\n')}\n]`,
    unsealed: unsealed.rows.map((values) => eventJson(pgValuesToStoredEvent(values).event)),
  };
}

/** exportLeaves of merkle-export-leaves.ts: the leaves of an export's rows, in its order. */
export async function readExportLeaves(
  db: Queryable,
  orgId: number,
  filter: EventFilter,
  after: { ts: number; seq: number } | undefined,
  limit: number,
): Promise<ExportLeafPage> {
  // The organization is the page query's first value ($1).
  const { sql, params } = exportLeavesQuery(buildPageQuery, '$1', orgId, filter, after, limit);
  const { rows } = await db.query<ExportLeafRow>({ text: sql, values: params, rowMode: 'array' });
  return exportLeafPageOf(rows, limit);
}
