import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { isTimeDimension, type StatsDimension, type StatsResult } from '../domain/stats.js';
import { assertFewBuckets, timeBuckets } from '../domain/stats-buckets.js';
import { shapeGroups } from '../domain/stats-groups.js';
import { toIso } from '../domain/time.js';
import { zoneSegments } from '../domain/zone-segments.js';
import type { Db } from './database.js';
import { buildEventWhere } from './event-query.js';
import { createStatementCache } from './statement-cache.js';
import { rollupAnswers, rollupCounts } from './stats-rollup.js';
import { type CountPlan, scanCounts } from './stats-scan.js';
import type { KeyDimension } from './stats-sql.js';

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

/**
 * Counts of the events a list filter matches, grouped: from the rollup table where it can
 * answer (src/store/stats-rollup.ts), else from the events. Both give the same answer (a
 * property test holds them equal); the buckets, ranking and `other` are shaped once, in
 * src/domain/stats-groups.ts.
 */
export function createStatsStore(db: Db) {
  const statements = createStatementCache(db, STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql).raw(true));
  const statement = (sql: string) => statements.get(sql);

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
      const rows =
        !request.forceScan && rollupAnswers(ranged, scope, request.dimensions, segments)
          ? rollupCounts(statement, orgId, ranged, plan)
          : scanCounts(statement, orgId, ranged, scope, plan);
      const shaped = shapeGroups(rows, { dimensions: request.dimensions, buckets, top: request.top });
      return answer(shaped.total, shaped.top, shaped.groups);
    },
  };
}
