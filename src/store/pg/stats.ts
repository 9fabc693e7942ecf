import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import type { StatsResult } from '../../domain/stats.js';
import { keptSeries, type RankedCounts } from '../../domain/stats-groups.js';
import type { Async } from '../port.js';
import { bucketTotalsOf, keptByBucketOf, planStats, rankedSeriesOf, unkeyedCounts } from '../stats-plan.js';
import { rollupParts } from '../stats-rollup.js';
import { type CountPlan, scanPart } from '../stats-scan.js';
import { type CountPart, unionParts } from '../stats-sql.js';
import type { StatsRequest, StatsStore } from '../stats-store.js';
import { buildEventWhere } from './event-query.js';
import type { Queryable } from './pool.js';
import {
  pgBucketTotalsSql,
  pgKeptByBucketSql,
  pgNamedWhere,
  pgRankingSql,
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
    const bucketTotals = bucketTotalsOf(await all(q, pgBucketTotalsSql(source), params));
    if (keyCount === 0) return unkeyedCounts(bucketTotals);
    const ranked = await all(q, pgRankingSql(source, keyCount), { ...params, statsKeep: keptSeries(top) });
    const { ids, kept } = rankedSeriesOf(ranked, keyCount, key);
    if (!plan.unit || kept.length === 0) return { kept, keptByBucket: [], bucketTotals };
    const rows = await all(q, pgKeptByBucketSql(source, keyCount), {
      ...params,
      statsKept: JSON.stringify(ids),
    });
    return { kept, keptByBucket: keptByBucketOf(rows, ids), bucketTotals };
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
      const { ranged, plan, fromRollup, answer } = planStats(filter, scope, request, from);
      if (!ranged) return answer();
      const parts = fromRollup
        ? rollupParts(pgNamedWhere, orgId, ranged, plan)
        : [scanPart(pgNamedWhere, orgId, ranged, scope, plan)];
      return answer(await snapshot((q) => rankedCounts(q, parts, plan, request.top)));
    },
  };
}
