import { CATEGORIES } from '../domain/categories.js';
import { CHECKPOINT_SIGNED } from '../domain/checkpoint-record.js';
import type { OffsetSegment } from '../domain/zone-offsets.js';
import { localDaySql } from './zone-sql.js';

const HOUR_MS = 3_600_000;

/** Events per category (in CATEGORIES order) per day of the zone (days since 1970-01-01). */
export type DailyCategoryCounts = Map<string, Map<number, number>>;
type Rows = (sql: string, params: Record<string, unknown>) => unknown[][];

/** The server's own checkpoint records come every minute of activity: not the log's volume. */
const NOT_CHECKPOINT = `NOT (category = 'audit' AND action = '${CHECKPOINT_SIGNED}')`;

/**
 * Whether event_counts can give days of this zone: its offsets and their changes fall on whole
 * UTC hours, so every hour of the rollup lies inside one day of the zone.
 */
export function rollupHasDays(zone: readonly OffsetSegment[]): boolean {
  return zone.every(
    (segment, index) => segment.offsetMs % HOUR_MS === 0 && (index === 0 || segment.from % HOUR_MS === 0),
  );
}

/** The counts of [from, to) from the events themselves, by the (org, category, ts) index. */
export function dailyCountsFromEvents(
  all: Rows,
  orgId: number,
  range: { from: number; to: number },
  zone: readonly OffsetSegment[],
): DailyCategoryCounts {
  const counts: DailyCategoryCounts = new Map();
  for (const category of CATEGORIES) {
    // Only audit's rows are read for their action: the others are counted from the index alone.
    const skip = category === 'audit' ? `AND action <> '${CHECKPOINT_SIGNED}'` : '';
    const days = all(
      `SELECT ${localDaySql(zone)} AS day, count(*) FROM events INDEXED BY events_category_time
       WHERE org_id = @orgId AND category = @category AND ts >= @from AND ts < @to ${skip} GROUP BY day`,
      { orgId, category, ...range },
    );
    if (days.length) counts.set(category, new Map(days.map(([day, n]) => [day as number, n as number])));
  }
  return counts;
}

/**
 * The same counts from event_counts: its whole hours of [from, to), and the ragged part of an
 * hour at either end from the events. Only for a zone rollupHasDays accepts.
 */
export function dailyCountsFromRollup(
  all: Rows,
  orgId: number,
  range: { from: number; to: number },
  zone: readonly OffsetSegment[],
): DailyCategoryCounts {
  const firstHour = Math.ceil(range.from / HOUR_MS);
  const endHour = Math.floor(range.to / HOUR_MS);
  if (firstHour >= endHour) return dailyCountsFromEvents(all, orgId, range, zone);
  const rows = all(
    `SELECT category, ${localDaySql(zone)} AS day, sum(events) FROM (
       SELECT hour * ${HOUR_MS} AS ts, category, events FROM event_counts
       WHERE org_id = @orgId AND hour >= @firstHour AND hour < @endHour AND ${NOT_CHECKPOINT}
     ) GROUP BY category, day`,
    { orgId, firstHour, endHour },
  );
  const parts = [
    dailyCountsFromEvents(all, orgId, { from: range.from, to: firstHour * HOUR_MS }, zone),
    dailyCountsFromEvents(all, orgId, { from: endHour * HOUR_MS, to: range.to }, zone),
  ];
  const byCategory = new Map<string, Map<number, number>>();
  const add = (category: string, day: number, n: number) => {
    const days = byCategory.get(category) ?? new Map<number, number>();
    byCategory.set(category, days.set(day, (days.get(day) ?? 0) + n));
  };
  for (const [category, day, n] of rows) add(category as string, day as number, n as number);
  for (const part of parts)
    for (const [category, days] of part) for (const [day, n] of days) add(category, day, n);
  const counts: DailyCategoryCounts = new Map();
  for (const category of CATEGORIES) {
    const days = byCategory.get(category);
    if (days) counts.set(category, days);
  }
  return counts;
}
