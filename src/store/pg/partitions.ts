import type { Queryable } from './pool.js';

const DAY_MS = 86_400_000;

/** How far back the monthly partitions reach: the longest retention a plan has, plus a month. */
export const PARTITIONS_BACK_MS = 730 * DAY_MS + 31 * DAY_MS;
/** How far ahead: events stamped a little in the future, and the time until the next daily run. */
export const PARTITIONS_AHEAD_MS = 62 * DAY_MS;

/**
 * Creates the missing monthly partitions of `events` around `now` (migration 1's
 * ensure_event_partitions: serialized, idempotent, safe from several instances at once); returns
 * how many it made. The server runs it at start and daily; any event outside them lands in
 * events_default.
 */
export async function ensureEventPartitions(db: Queryable, now: number): Promise<number> {
  const { rows } = await db.query<{ created: number }>('SELECT ensure_event_partitions($1, $2) AS created', [
    now - PARTITIONS_BACK_MS,
    now + PARTITIONS_AHEAD_MS,
  ]);
  return rows[0]?.created ?? 0;
}
