import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { isTimeDimension, type StatsDimension, type StatsResult } from '../domain/stats.js';
import { assertFewBuckets, timeBuckets } from '../domain/stats-buckets.js';
import { keptSeries, type RankedCounts, shapeGroups } from '../domain/stats-groups.js';
import { toIso } from '../domain/time.js';
import { zoneSegments } from '../domain/zone-segments.js';
import type { Db } from './database.js';
import { buildEventWhere } from './event-query.js';
import { createStatementCache } from './statement-cache.js';
import { rollupAnswers, rollupParts } from './stats-rollup.js';
import { type CountPlan, scanPart } from './stats-scan.js';
import {
  bucketTotalsSql,
  type CountPart,
  type KeyDimension,
  keptByBucketSql,
  rankingSql,
  unionParts,
} from './stats-sql.js';

/** Prepared counting queries kept (one per filter shape, dimensions and number of DST changes). */
const STATEMENT_CACHE_SIZE = 100;

export interface StatsRequest {
  /** One or two, at most one of day and hour (the route checks). */
  dimensions: StatsDimension[];
  /** IANA name or UTC, already checked. */
  timeZone: string;
  top?: number;
  /** The end of the range when the filter has none. */
  now: number;
  /** Tests only: count from the events even where event_counts could answer. */
  forceScan?: boolean;
}

export type StatsStore = ReturnType<typeof createStatsStore>;

export interface StatsStoreOptions {
  /** Tests only: told the number of rows each query brought into JavaScript. */
  onRows?: (rows: number) => void;
}

/**
 * Counts of the events a list filter matches, grouped: from the rollup table where it can
 * answer (src/store/stats-rollup.ts), else from the events. Both give the same answer (a
 * property test holds them equal). SQLite ranks the series and keeps the first `top`: memory
 * holds the answer's groups, never every distinct key (every key is text a sender chose); the
 * buckets and `other` are shaped in src/domain/stats-groups.ts.
 */
export function createStatsStore(db: Db, options: StatsStoreOptions = {}) {
  const statements = createStatementCache(db, STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql).raw(true));
  const statement = (sql: string) => statements.get(sql);
  const all = (sql: string, params: Record<string, unknown>): unknown[][] => {
    const rows = statement(sql).all(params) as unknown[][];
    options.onRows?.(rows.length);
    return rows;
  };

  /** The ranked counts of the parts' rows (src/store/stats-sql.ts). */
  function rankedCounts(parts: readonly CountPart[], plan: CountPlan, top: number | undefined): RankedCounts {
    const { source, params } = unionParts(parts);
    const keyCount = plan.keys.length;
    const bucketTotals = all(bucketTotalsSql(source), params).map(([bucket, count]) => ({
      bucket: bucket === null ? null : Number(bucket),
      count: Number(count),
    }));
    if (keyCount === 0) {
      const total = bucketTotals.reduce((sum, row) => sum + row.count, 0);
      return {
        kept: total > 0 ? [{ keys: [], total }] : [],
        keptByBucket: bucketTotals.map((row) => ({ ...row, series: 0 })),
        bucketTotals,
      };
    }
    const ranked = all(rankingSql(source, keyCount), { ...params, statsKeep: keptSeries(top) });
    const ids = ranked.map((row) => row.slice(0, keyCount) as string[]);
    const kept = ranked.map((row) => ({
      keys: row.slice(keyCount, -1) as (string | null)[],
      total: Number(row.at(-1)),
    }));
    if (!plan.unit || kept.length === 0) return { kept, keptByBucket: [], bucketTotals };
    const series = new Map(ids.map((id, index) => [id.join(','), index]));
    const keptByBucket = all(keptByBucketSql(source, keyCount), {
      ...params,
      statsKept: JSON.stringify(ids),
    }).map((row) => ({
      bucket: row[0] === null ? null : Number(row[0]),
      series: series.get(row.slice(1, -1).join(',')) as number,
      count: Number(row.at(-1)),
    }));
    return { kept, keptByBucket, bucketTotals };
  }

  /** The time of the first event the filter matches before `to`, if any. */
  function firstMatching(orgId: number, filter: EventFilter, scope: VisibilityScope): number | undefined {
    const where = buildEventWhere(orgId, filter, scope);
    const sql = `SELECT ts FROM events WHERE ${where.clauses.join(' AND ')} ORDER BY ts LIMIT 1`;
    const row = statement(sql).get(where.params) as [number] | undefined;
    return row?.[0];
  }

  return {
    stats(orgId: number, filter: EventFilter, scope: VisibilityScope, request: StatsRequest): StatsResult {
      const to = filter.toExclusive ?? request.now;
      const from = filter.from ?? firstMatching(orgId, { ...filter, toExclusive: to }, scope);
      const answer = (total: number, top: number | null, groups: StatsResult['groups']): StatsResult => ({
        group_by: request.dimensions,
        time_zone: request.timeZone,
        from: from === undefined ? null : toIso(from),
        to: toIso(to),
        total,
        top,
        groups,
      });
      if (from === undefined || from >= to) return answer(0, request.top ?? null, []);

      const unit = request.dimensions.find(isTimeDimension) ?? null;
      if (unit) assertFewBuckets(unit, from, to);
      const segments = unit ? zoneSegments(request.timeZone, from, to) : [];
      const buckets = unit ? timeBuckets(unit, segments, to) : null;
      const plan: CountPlan = {
        unit,
        segments,
        keys: request.dimensions.filter((dimension) => !isTimeDimension(dimension)) as KeyDimension[],
      };
      const ranged = { ...filter, from, toExclusive: to };
      const parts =
        !request.forceScan && rollupAnswers(ranged, scope, request.dimensions, segments)
          ? rollupParts(orgId, ranged, plan)
          : [scanPart(orgId, ranged, scope, plan)];
      // One snapshot: a writer on another connection between the queries would make the kept
      // counts and the totals disagree (and `other` wrong).
      const counts = db.transaction(() => rankedCounts(parts, plan, request.top))();
      const shaped = shapeGroups(counts, { dimensions: request.dimensions, buckets, top: request.top });
      return answer(shaped.total, shaped.top, shaped.groups);
    },
  };
}
