import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { StatsDimension, StatsResult } from '../domain/stats.js';
import { keptSeries, type RankedCounts } from '../domain/stats-groups.js';
import type { Db } from './database.js';
import { buildEventWhere } from './event-query.js';
import { createStatementCache } from './statement-cache.js';
import { bucketTotalsOf, keptByBucketOf, planStats, rankedSeriesOf, unkeyedCounts } from './stats-plan.js';
import { rollupParts } from './stats-rollup.js';
import { type CountPlan, scanPart, sqliteNamedWhere } from './stats-scan.js';
import { bucketTotalsSql, type CountPart, keptByBucketSql, rankingSql, unionParts } from './stats-sql.js';

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
    const bucketTotals = bucketTotalsOf(all(bucketTotalsSql(source), params));
    if (keyCount === 0) return unkeyedCounts(bucketTotals);
    const { ids, kept } = rankedSeriesOf(
      all(rankingSql(source, keyCount), { ...params, statsKeep: keptSeries(top) }),
      keyCount,
    );
    if (!plan.unit || kept.length === 0) return { kept, keptByBucket: [], bucketTotals };
    const rows = all(keptByBucketSql(source, keyCount), { ...params, statsKept: JSON.stringify(ids) });
    return { kept, keptByBucket: keptByBucketOf(rows, ids), bucketTotals };
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
      const { ranged, plan, fromRollup, answer } = planStats(filter, scope, request, from);
      if (!ranged) return answer();
      const parts = fromRollup
        ? rollupParts(sqliteNamedWhere, orgId, ranged, plan)
        : [scanPart(sqliteNamedWhere, orgId, ranged, scope, plan)];
      // One snapshot: a writer on another connection between the queries would make the kept
      // counts and the totals disagree (and `other` wrong).
      return answer(db.transaction(() => rankedCounts(parts, plan, request.top))());
    },
  };
}
