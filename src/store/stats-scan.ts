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
 * The events `filter` and `scope` match, one row each as `plan` says (bucket, keys, 1), straight
 * from the events table: any filter, any scope, any zone. The filter carries the range (from, to).
 */
export function scanPart(
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  plan: CountPlan,
): CountPart {
  const where = buildEventWhere(orgId, filter, scope);
  const params: Record<string, unknown> = { ...where.params };
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, 'ts', params) : null;
  const sql = `SELECT ${partColumns(bucket, plan.keys)}, 1 AS n FROM events WHERE ${where.clauses.join(' AND ')}`;
  return { sql, params };
}
