import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { CountRow } from '../domain/stats-groups.js';
import type { ZoneSegment } from '../domain/zone-segments.js';
import { buildEventWhere } from './event-query.js';
import type { Statement } from './statement-cache.js';
import { bucketSql, groupingSql, type KeyDimension } from './stats-sql.js';

/** What a counting query groups by: the time unit and its zone's segments, and the keys. */
export interface CountPlan {
  unit: 'day' | 'hour' | null;
  segments: readonly ZoneSegment[];
  keys: readonly KeyDimension[];
}

/**
 * Counts of the events `filter` and `scope` match, grouped as `plan` says, straight from the
 * events table: any filter, any scope, any zone. The filter carries the range (from, to).
 */
export function scanCounts(
  statement: (sql: string) => Statement,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  plan: CountPlan,
): CountRow[] {
  const where = buildEventWhere(orgId, filter, scope);
  const params: Record<string, unknown> = { ...where.params };
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, 'ts', params) : null;
  const { select, groupBy } = groupingSql(bucket, plan.keys);
  const sql = `SELECT ${select}, count(*) FROM events WHERE ${where.clauses.join(' AND ')}${groupBy}`;
  return toCountRows(statement(sql).all(params) as unknown[][]);
}

/** Rows of [bucket, ...keys, count] as CountRows (a count of 0: nothing matched at all). */
export function toCountRows(rows: unknown[][]): CountRow[] {
  return rows.map((row) => ({
    bucket: row[0] === null ? null : Number(row[0]),
    keys: row.slice(1, -1) as (string | null)[],
    count: Number(row.at(-1)),
  }));
}
