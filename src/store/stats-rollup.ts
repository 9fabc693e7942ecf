import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { StatsDimension } from '../domain/stats.js';
import { HOUR_MS } from '../domain/stats-buckets.js';
import { onWholeHours, type ZoneSegment } from '../domain/zone-segments.js';
import { type CountPlan, type NamedWhere, scanPart } from './stats-scan.js';
import { bucketSql, type CountPart, partColumns } from './stats-sql.js';

/** The filters event_counts can answer: its columns, and the range. */
const ROLLUP_FILTERS = new Set<keyof EventFilter>([
  'categories',
  'actions',
  'actionPrefixes',
  'from',
  'toExclusive',
  'detailed',
]);
const ROLLUP_DIMENSIONS = new Set<StatsDimension>(['category', 'action', 'day', 'hour']);

/**
 * Whether migration 3's event_counts can answer: the whole organization, filters on its columns
 * only, dimensions among its columns and time, and a zone whose offsets and changes fall on
 * whole hours over the range (a UTC hour is then inside one hour and one day of the zone).
 */
export function rollupAnswers(
  filter: EventFilter,
  scope: VisibilityScope,
  dimensions: readonly StatsDimension[],
  segments: readonly ZoneSegment[],
): boolean {
  if (scope.kind !== 'organization') return false;
  const used = (Object.keys(filter) as (keyof EventFilter)[]).filter((key) => filter[key] !== undefined);
  if (!used.every((key) => ROLLUP_FILTERS.has(key))) return false;
  if (!dimensions.every((dimension) => ROLLUP_DIMENSIONS.has(dimension))) return false;
  return onWholeHours(segments);
}

/**
 * The same rows as scanPart, for a filter rollupAnswers accepts, with [from, to) set: the
 * whole hours from event_counts (its count as n), the ragged part of an hour at either end from
 * the events.
 */
export function rollupParts(
  namedWhere: NamedWhere,
  orgId: number,
  filter: EventFilter & { from: number; toExclusive: number },
  plan: CountPlan,
): CountPart[] {
  const scope: VisibilityScope = { kind: 'organization' };
  const firstHour = Math.ceil(filter.from / HOUR_MS);
  const endHour = Math.floor(filter.toExclusive / HOUR_MS);
  if (firstHour >= endHour) return [scanPart(namedWhere, orgId, filter, scope, plan)];

  const { from, toExclusive, ...columns } = filter;
  const params: Record<string, unknown> = { firstHour, endHour };
  const where = namedWhere(orgId, columns, scope, params);
  const bucket = plan.unit ? bucketSql(plan.unit, plan.segments, `hour * ${HOUR_MS}`, params) : null;
  const sql = `SELECT ${partColumns(bucket, plan.keys)}, events AS n FROM event_counts
    WHERE ${where} AND hour >= @firstHour AND hour < @endHour`;
  const ragged = (start: number, end: number) =>
    start < end
      ? [scanPart(namedWhere, orgId, { ...filter, from: start, toExclusive: end }, scope, plan)]
      : [];
  return [...ragged(from, firstHour * HOUR_MS), { sql, params }, ...ragged(endHour * HOUR_MS, toExclusive)];
}
