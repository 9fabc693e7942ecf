import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import { isTimeDimension, type StatsResult } from '../../domain/stats.js';
import { assertFewBuckets, timeBuckets } from '../../domain/stats-buckets.js';
import { keptSeries, type RankedCounts, shapeGroups } from '../../domain/stats-groups.js';
import { toIso } from '../../domain/time.js';
import { zoneSegments } from '../../domain/zone-segments.js';
import type { Async } from '../port.js';
import { rollupAnswers } from '../stats-rollup.js';
import type { CountPlan } from '../stats-scan.js';
import { type CountPart, type KeyDimension, unionParts } from '../stats-sql.js';
import type { StatsRequest, StatsStore } from '../stats-store.js';
import { buildEventWhere } from './event-query.js';
import type { Queryable } from './pool.js';
import {
  pgBucketTotalsSql,
  pgKeptByBucketSql,
  pgRankingSql,
  pgRollupParts,
  pgScanPart,
  toPositional,
} from './stats-sql.js';
import { unescapeText } from './text-escape.js';

/**
 * src/store/stats-store.ts on PostgreSQL: the same counts, the same ranking and shaping
 * (src/domain/stats-groups.ts). `snapshot` runs the counting queries in one snapshot (a
 * REPEATABLE READ transaction of their own, or the caller's read or write), so the kept counts
 * and the totals agree.
 */
export function createPgStats(
  db: Queryable,
  snapshot: <T>(work: (db: Queryable) => Promise<T>) => Promise<T>,
): Async<StatsStore> {
  const all = async (q: Queryable, sql: string, params: Record<string, unknown>): Promise<unknown[][]> => {
    const { text, values } = toPositional(sql, params);
    return (await q.query<unknown[]>({ text, values, rowMode: 'array' })).rows;
  };
  /** A key as stored → as sent (text-escape.ts); null stays null. */
  const key = (value: unknown) => (typeof value === 'string' ? unescapeText(value) : (value as null));

  async function rankedCounts(
    q: Queryable,
    parts: readonly CountPart[],
    plan: CountPlan,
    top: number | undefined,
  ): Promise<RankedCounts> {
    const { source, params } = unionParts(parts);
    const keyCount = plan.keys.length;
    const bucketTotals = (await all(q, pgBucketTotalsSql(source), params)).map(([bucket, count]) => ({
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
    const ranked = await all(q, pgRankingSql(source, keyCount), { ...params, statsKeep: keptSeries(top) });
    const ids = ranked.map((row) => row.slice(0, keyCount) as string[]);
    const kept = ranked.map((row) => ({
      keys: row.slice(keyCount, -1).map(key) as (string | null)[],
      total: Number(row.at(-1)),
    }));
    if (!plan.unit || kept.length === 0) return { kept, keptByBucket: [], bucketTotals };
    const series = new Map(ids.map((id, index) => [id.join(','), index]));
    const byBucket = await all(q, pgKeptByBucketSql(source, keyCount), {
      ...params,
      statsKept: JSON.stringify(ids),
    });
    const keptByBucket = byBucket.map((row) => ({
      bucket: row[0] === null ? null : Number(row[0]),
      series: series.get(row.slice(1, -1).join(',')) as number,
      count: Number(row.at(-1)),
    }));
    return { kept, keptByBucket, bucketTotals };
  }

  async function firstMatching(
    orgId: number,
    filter: EventFilter,
    scope: VisibilityScope,
  ): Promise<number | undefined> {
    const where = buildEventWhere(orgId, filter, scope);
    const sql = `SELECT ts FROM events WHERE ${where.clauses.join(' AND ')} ORDER BY ts LIMIT 1`;
    const { rows } = await db.query<{ ts: number }>(sql, where.params);
    return rows[0]?.ts;
  }

  return {
    async stats(orgId, filter, scope, request: StatsRequest): Promise<StatsResult> {
      const to = filter.toExclusive ?? request.now;
      const from = filter.from ?? (await firstMatching(orgId, { ...filter, toExclusive: to }, scope));
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
          ? pgRollupParts(orgId, ranged, plan)
          : [pgScanPart(orgId, ranged, scope, plan)];
      const counts = await snapshot((q) => rankedCounts(q, parts, plan, request.top));
      const shaped = shapeGroups(counts, { dimensions: request.dimensions, buckets, top: request.top });
      return answer(shaped.total, shaped.top, shaped.groups);
    },
  };
}
