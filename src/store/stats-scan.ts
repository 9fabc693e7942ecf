import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { ZoneSegment } from '../domain/zone-segments.js';
import { buildEventWhere } from './event-query.js';
import { bucketSql, type CountPart, type KeyDimension, partColumns } from './stats-sql.js';

/** What a counting query groups by: the time unit and its zone's segments, and the keys. */
export interface CountPlan {
  unit: 'day' | 'hour' | null;
  segments: readonly ZoneSegment[];
  keys: readonly KeyDimension[];
}

/**
 * An engine's where clause for a filter in SQLite's named form (@name), its values added to
 * `params`: the counting parts are built in that form on both engines (PostgreSQL makes the whole
 * query positional at the end).
 */
export type NamedWhere = (
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  params: Record<string, unknown>,
) => string;

/** SQLite's where (src/store/event-query.ts), already in the named form. */
export const sqliteNamedWhere: NamedWhere = (orgId, filter, scope, params) => {
  const where = buildEventWhere(orgId, filter, scope);
  Object.assign(params, where.params);
  return where.clauses.join(' AND ');
};

/**
 * The events `filter` and `scope` match, one row each as `plan` says (bucket, keys, 1), straight
 * from the events table: any filter, any scope, any zone. The filter carries the range (from, to).
 */
export function scanPart(
  namedWhere: NamedWhere,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  plan: CountPlan,
): CountPart {
  const params: Record<string, unknown> = {};
  const where = namedWhere(orgId, filter, scope, params);
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, 'ts', params) : null;
  return { sql: `SELECT ${partColumns(bucket, plan.keys)}, 1 AS n FROM events WHERE ${where}`, params };
}
