import { CATEGORIES } from '../domain/categories.js';
import { CHECKPOINT_SIGNED } from '../domain/checkpoint-record.js';
import type { ZoneSegment } from '../domain/zone-segments.js';
import { localDaySql } from './zone-sql.js';

const HOUR_MS = 3_600_000;

/** Events per category (in CATEGORIES order) per day of the zone (days since 1970-01-01). */
export type DailyCategoryCounts = Map<string, Map<number, number>>;
type Rows = (sql: string, params: Record<string, unknown>) => unknown[][];

/**
 * One query of the counts, in named (@name) SQL that both engines run (PostgreSQL after
 * toPositional): rows [day, n] of `category`, or [category, day, n] when it has none.
 */
export interface DailyCountPart {
  sql: string;
  params: Record<string, unknown>;
  category?: string;
}

/** How the events are read by category: SQLite names its index, PostgreSQL's planner picks it. */
export const SQLITE_EVENTS_BY_CATEGORY = 'events INDEXED BY events_category_time';

/** The server's own checkpoint records come every minute of activity: not the log's volume. */
const NOT_CHECKPOINT = `NOT (category = 'audit' AND action = '${CHECKPOINT_SIGNED}')`;

/** The counts of [from, to) from the events themselves, by the (org, category, ts) index. */
export function eventCountParts(
  orgId: number,
  range: { from: number; to: number },
  zone: readonly ZoneSegment[],
  events = SQLITE_EVENTS_BY_CATEGORY,
): DailyCountPart[] {
  return CATEGORIES.map((category) => {
    // Only audit's rows are read for their action: the others are counted from the index alone.
    const skip = category === 'audit' ? `AND action <> '${CHECKPOINT_SIGNED}'` : '';
    return {
      category,
      sql: `SELECT ${localDaySql(zone)} AS day, count(*) FROM ${events}
       WHERE org_id = @orgId AND category = @category AND ts >= @from AND ts < @to ${skip} GROUP BY day ORDER BY day`,
      params: { orgId, category, ...range },
    };
  });
}

/**
 * The same counts from event_counts: its whole hours of [from, to), and the ragged part of an
 * hour at either end from the events. Only for a zone on whole hours (onWholeHours).
 */
export function rollupCountParts(
  orgId: number,
  range: { from: number; to: number },
  zone: readonly ZoneSegment[],
  events = SQLITE_EVENTS_BY_CATEGORY,
): DailyCountPart[] {
  const firstHour = Math.ceil(range.from / HOUR_MS);
  const endHour = Math.floor(range.to / HOUR_MS);
  if (firstHour >= endHour) return eventCountParts(orgId, range, zone, events);
  const rollup = {
    sql: `SELECT category, ${localDaySql(zone)} AS day, CAST(sum(events) AS bigint) FROM (
       SELECT hour * ${HOUR_MS} AS ts, category, events FROM event_counts
       WHERE org_id = @orgId AND hour >= @firstHour AND hour < @endHour AND ${NOT_CHECKPOINT}
     ) AS hours GROUP BY category, day ORDER BY category, day`,
    params: { orgId, firstHour, endHour },
  };
  return [
    rollup,
    ...eventCountParts(orgId, { from: range.from, to: firstHour * HOUR_MS }, zone, events),
    ...eventCountParts(orgId, { from: endHour * HOUR_MS, to: range.to }, zone, events),
  ];
}

/** The parts' rows (results[i] answers parts[i]) added up by category and day. */
export function mergeDailyCounts(
  parts: readonly DailyCountPart[],
  results: readonly unknown[][][],
): DailyCategoryCounts {
  const byCategory = new Map<string, Map<number, number>>();
  const add = (category: string, day: number, n: number) => {
    const days = byCategory.get(category) ?? new Map<number, number>();
    byCategory.set(category, days.set(day, (days.get(day) ?? 0) + n));
  };
  parts.forEach((part, index) => {
    for (const row of results[index] ?? []) {
      if (part.category === undefined) add(row[0] as string, row[1] as number, row[2] as number);
      else add(part.category, row[0] as number, row[1] as number);
    }
  });
  const counts: DailyCategoryCounts = new Map();
  for (const category of CATEGORIES) {
    const days = byCategory.get(category);
    if (days) counts.set(category, days);
  }
  return counts;
}

/** The parts run one after another by a synchronous `all` (SQLite), and merged. */
function countsOf(all: Rows, parts: readonly DailyCountPart[]): DailyCategoryCounts {
  return mergeDailyCounts(
    parts,
    parts.map((part) => all(part.sql, part.params)),
  );
}

/** The counts from the events, on SQLite. */
export function dailyCountsFromEvents(
  all: Rows,
  orgId: number,
  range: { from: number; to: number },
  zone: readonly ZoneSegment[],
): DailyCategoryCounts {
  return countsOf(all, eventCountParts(orgId, range, zone));
}

/** The counts from the rollup and the ragged ends, on SQLite. */
export function dailyCountsFromRollup(
  all: Rows,
  orgId: number,
  range: { from: number; to: number },
  zone: readonly ZoneSegment[],
): DailyCategoryCounts {
  return countsOf(all, rollupCountParts(orgId, range, zone));
}
