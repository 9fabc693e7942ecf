import type { SharedRateDecision } from '../server-database.js';
import type { Queryable } from './pool.js';

/** $1 key, $2 now, $3 cost, $4 window, $5 limit (bigint casts: pg binds text); `expired`: the window ran out. */
const EXPIRED = '$2::bigint - r.start >= $4::bigint';

const CHECK_SQL = `INSERT INTO rate_windows AS r (key, start, count, allowed) VALUES ($1, $2::bigint, $3::bigint, $3::bigint <= $5::bigint)
  ON CONFLICT (key) DO UPDATE SET
    start = CASE WHEN ${EXPIRED} THEN $2::bigint ELSE r.start END,
    count = CASE WHEN ${EXPIRED} THEN $3::bigint ELSE r.count + $3::bigint END,
    allowed = CASE WHEN ${EXPIRED} THEN $3::bigint <= $5::bigint ELSE r.count + $3::bigint <= $5::bigint END
  RETURNING start, count, allowed`;

const TAKE_SQL = `INSERT INTO rate_windows AS r (key, start, count, allowed) VALUES ($1, $2::bigint, $3::bigint, true)
  ON CONFLICT (key) DO UPDATE SET
    start = CASE WHEN ${EXPIRED} THEN $2::bigint ELSE r.start END,
    count = CASE WHEN ${EXPIRED} THEN $3::bigint WHEN r.count + $3::bigint <= $5::bigint THEN r.count + $3::bigint ELSE r.count END,
    allowed = ${EXPIRED} OR r.count + $3::bigint <= $5::bigint
  RETURNING start, count, allowed`;

/**
 * src/server/rate-limiter.ts over the rate_windows table, for several instances: the same fixed
 * windows from a key's first request, the same check (counts even a refused request) and take
 * (a refusal costs nothing), each one upsert, so concurrent requests through any instance add up
 * under the row lock. Answers as RateDecision does. Windows that ran out are deleted at most once
 * a window per instance, by the request that finds it due: every client address that ever sent
 * a request has a row, so without that the table grows for as long as the database lives.
 */
export function createSharedRateLimiter(
  db: Queryable,
  limitPerMinute: number,
  now: () => number,
  options: { windowMs?: number } = {},
) {
  const windowMs = options.windowMs ?? 60_000;
  let prunedAt = now();

  async function dropExpired(): Promise<number> {
    const { rowCount } = await db.query('DELETE FROM rate_windows WHERE start <= $1', [now() - windowMs]);
    return rowCount ?? 0;
  }

  async function run(sql: string, key: string, units: number): Promise<SharedRateDecision> {
    const time = now();
    if (time - prunedAt >= windowMs) {
      prunedAt = time;
      // A prune that failed is tried again a window later; the request is not refused for it.
      await dropExpired().catch(() => {});
    }
    const cost = Math.min(units, limitPerMinute);
    const { rows } = await db.query<{ start: number; count: number; allowed: boolean }>(sql, [
      key,
      time,
      cost,
      windowMs,
      limitPerMinute,
    ]);
    const row = rows[0];
    if (!row) throw new Error('the rate window upsert returned no row');
    const resetMs = Math.max(0, row.start + windowMs - time);
    return {
      allowed: row.allowed,
      limit: limitPerMinute,
      remaining: Math.max(0, limitPerMinute - row.count),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
      resetMs,
    };
  }

  return {
    /** Counts `units` against the key's window, allowed or not (at most the whole limit). */
    check: (key: string, units = 1) => run(CHECK_SQL, key, units),
    /** Counts `units` only if they fit in what is left of the window; a refusal costs nothing. */
    take: (key: string, units = 1) => run(TAKE_SQL, key, units),
    /** Forgets windows that ran out now (the limiter also does it itself once a window). */
    dropExpired,
  };
}
