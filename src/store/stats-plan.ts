import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { isTimeDimension, type StatsResult } from '../domain/stats.js';
import { assertFewBuckets, timeBuckets } from '../domain/stats-buckets.js';
import { type RankedCounts, shapeGroups } from '../domain/stats-groups.js';
import { toIso } from '../domain/time.js';
import { zoneSegments } from '../domain/zone-segments.js';
import { rollupAnswers } from './stats-rollup.js';
import type { CountPlan } from './stats-scan.js';
import type { KeyDimension } from './stats-sql.js';
import type { StatsRequest } from './stats-store.js';

export type RangedFilter = EventFilter & { from: number; toExclusive: number };

/** What both engines' stats stores count, and how they turn the counts into the answer. */
export interface PlannedStats {
  /** The filter over [from, to); undefined when nothing can match (no event, or an empty range). */
  ranged: RangedFilter | undefined;
  plan: CountPlan;
  /** Whether event_counts answers (stats-rollup.ts), else the events are scanned. */
  fromRollup: boolean;
  /** The answer for these counts (none: the empty answer). */
  answer(counts?: RankedCounts): StatsResult;
}

/**
 * Plans one stats request once the first matching event's time (`from`, when the filter has
 * none) is known: the range, its time buckets in the zone, the key dimensions, and whether the
 * rollup can answer. The engines differ only in how they run the counting queries.
 */
export function planStats(
  filter: EventFilter,
  scope: VisibilityScope,
  request: StatsRequest,
  from: number | undefined,
): PlannedStats {
  const to = filter.toExclusive ?? request.now;
  const result = (total: number, top: number | null, groups: StatsResult['groups']): StatsResult => ({
    group_by: request.dimensions,
    time_zone: request.timeZone,
    from: from === undefined ? null : toIso(from),
    to: toIso(to),
    total,
    top,
    groups,
  });
  const unit = request.dimensions.find(isTimeDimension) ?? null;
  const keys = request.dimensions.filter((dimension) => !isTimeDimension(dimension)) as KeyDimension[];
  if (from === undefined || from >= to) {
    return {
      ranged: undefined,
      plan: { unit, segments: [], keys },
      fromRollup: false,
      answer: () => result(0, request.top ?? null, []),
    };
  }
  if (unit) assertFewBuckets(unit, from, to);
  const segments = unit ? zoneSegments(request.timeZone, from, to) : [];
  const buckets = unit ? timeBuckets(unit, segments, to) : null;
  const ranged = { ...filter, from, toExclusive: to };
  return {
    ranged,
    plan: { unit, segments, keys },
    fromRollup: !request.forceScan && rollupAnswers(ranged, scope, request.dimensions, segments),
    answer(counts) {
      if (!counts) return result(0, request.top ?? null, []);
      const shaped = shapeGroups(counts, { dimensions: request.dimensions, buckets, top: request.top });
      return result(shaped.total, shaped.top, shaped.groups);
    },
  };
}

/** Rows of bucketTotalsSql: [bucket, count]. */
export function bucketTotalsOf(rows: readonly unknown[][]): RankedCounts['bucketTotals'] {
  return rows.map(([bucket, count]) => ({
    bucket: bucket === null ? null : Number(bucket),
    count: Number(count),
  }));
}

/** The counts when no key dimension is asked: one series, the buckets' totals. */
export function unkeyedCounts(bucketTotals: RankedCounts['bucketTotals']): RankedCounts {
  const total = bucketTotals.reduce((sum, row) => sum + row.count, 0);
  return {
    kept: total > 0 ? [{ keys: [], total }] : [],
    keptByBucket: bucketTotals.map((row) => ({ ...row, series: 0 })),
    bucketTotals,
  };
}

/**
 * Rows of rankingSql: the series' ids, then its keys as stored, then its total. `key` turns a
 * stored key into the one sent (PostgreSQL unescapes its text).
 */
export function rankedSeriesOf(
  rows: readonly unknown[][],
  keyCount: number,
  key: (stored: unknown) => string | null = (stored) => stored as string | null,
): { ids: string[][]; kept: RankedCounts['kept'] } {
  return {
    ids: rows.map((row) => row.slice(0, keyCount) as string[]),
    kept: rows.map((row) => ({ keys: row.slice(keyCount, -1).map(key), total: Number(row.at(-1)) })),
  };
}

/** Rows of keptByBucketSql: [bucket, ...series id, count], the series numbered as in `ids`. */
export function keptByBucketOf(
  rows: readonly unknown[][],
  ids: readonly string[][],
): RankedCounts['keptByBucket'] {
  const series = new Map(ids.map((id, index) => [id.join(','), index]));
  return rows.map((row) => ({
    bucket: row[0] === null ? null : Number(row[0]),
    series: series.get(row.slice(1, -1).join(',')) as number,
    count: Number(row.at(-1)),
  }));
}
