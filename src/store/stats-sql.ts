import type { StatsDimension } from '../domain/stats.js';
import { DAY_MS, DAY_SHIFT_DAYS, DAY_SHIFT_MS, HOUR_MS } from '../domain/stats-buckets.js';
import type { ZoneSegment } from '../domain/zone-segments.js';

export type KeyDimension = Exclude<StatsDimension, 'day' | 'hour'>;

/**
 * The SQL of each non-time key. coalesce() drops the columns' NOCASE collation: `Alice@x` and
 * `alice@x` are two groups, each shown as stored, never one group under whichever came first.
 */
export const KEY_SQL: Record<KeyDimension, string> = {
  category: 'category',
  action: 'action',
  actor: 'coalesce(actor_email, actor_id, actor_name)',
  ip: 'ip_address',
  team: 'coalesce(team_name, team_id)',
  target: 'coalesce(target_name, target_id)',
};

/**
 * The time bucket of `time` (SQL of epoch ms) as TimeBucket keys (src/domain/stats-buckets.ts):
 * one expression per constant-offset segment of the range, chosen by a CASE on the segment
 * starts. Plain integer SQL that PostgreSQL runs too. The shifts are bound as BigInt: a bound
 * JavaScript number is a REAL to SQLite, and `/` would stop being integer division.
 */
export function bucketSql(
  unit: 'day' | 'hour',
  segments: readonly ZoneSegment[],
  time: string,
  params: Record<string, unknown>,
): string {
  const expression = (index: number) => {
    const shift = `@zoneShift${index}`;
    params[`zoneShift${index}`] = BigInt((segments[index]?.offsetMs ?? 0) + DAY_SHIFT_MS);
    return unit === 'day'
      ? `(${time} + ${shift}) / ${DAY_MS} - ${DAY_SHIFT_DAYS}`
      : `(${time} + ${shift}) / ${HOUR_MS} * ${HOUR_MS} - ${shift}`;
  };
  if (segments.length <= 1) return expression(0);
  const branches = segments.slice(0, -1).map((_segment, index) => {
    params[`zoneUntil${index}`] = segments[index + 1]?.start ?? 0;
    return `WHEN ${time} < @zoneUntil${index} THEN ${expression(index)}`;
  });
  return `CASE ${branches.join(' ')} ELSE ${expression(segments.length - 1)} END`;
}

/**
 * Rows to count, as one SELECT of the columns b (the time bucket's key, or NULL), k0, k1… (the
 * non-time keys) and n (how many events the row stands for: 1 for an event, a count from
 * event_counts).
 */
export interface CountPart {
  sql: string;
  params: Record<string, unknown>;
}

/** The b, k0, k1… columns of a CountPart's SELECT. */
export function partColumns(bucket: string | null, keys: readonly KeyDimension[]): string {
  return [`${bucket ?? 'NULL'} AS b`, ...keys.map((key, index) => `${KEY_SQL[key]} AS k${index}`)].join(', ');
}

/**
 * The parts as one source for FROM: their UNION ALL, each part's parameters renamed apart (the
 * ragged ends of a rollup bind ranges of their own).
 */
export function unionParts(parts: readonly CountPart[]): { source: string; params: Record<string, unknown> } {
  const [only] = parts;
  if (parts.length === 1 && only) return { source: `(${only.sql})`, params: { ...only.params } };
  const params: Record<string, unknown> = {};
  const selects = parts.map((part, index) => {
    for (const [name, value] of Object.entries(part.params)) params[`p${index}_${name}`] = value;
    return part.sql.replace(/@(\w+)/g, (match, name: string) =>
      Object.hasOwn(part.params, name) ? `@p${index}_${name}` : match,
    );
  });
  return { source: `(${selects.join(' UNION ALL ')})`, params };
}

const keyColumns = (count: number) => Array.from({ length: count }, (_key, index) => `k${index}`);

/**
 * A key's identity as plain ASCII text: 'n' for null, else 't' and the hex of its bytes. The
 * kept keys go back to SQLite as these, so a key matches exactly the bytes it was ranked by: a
 * text that is not UTF-8 (a lone surrogate's three bytes) reads back into JavaScript as U+FFFD
 * and would no longer match itself, nor could NULL be matched by IN.
 */
const keyId = (column: string) => `CASE WHEN ${column} IS NULL THEN 'n' ELSE 't' || hex(${column}) END`;

/**
 * The first @statsKeep series of the non-time keys, ranked as the answer ranks them: by count
 * over the range, descending, then key by key ascending in byte order (UTF-8: code point order),
 * null last. Columns: the keys' identities, the keys, the count. SQLite groups and sorts with its
 * sorter, which spills to temporary files: only the kept rows reach JavaScript.
 */
export function rankingSql(source: string, keyCount: number): string {
  const keys = keyColumns(keyCount);
  return `SELECT ${keys.map(keyId).join(', ')}, ${keys.join(', ')}, sum(n) FROM ${source}
    GROUP BY ${keys.join(', ')} HAVING sum(n) > 0
    ORDER BY sum(n) DESC, ${keys.map((key) => `${key} COLLATE BINARY NULLS LAST`).join(', ')}
    LIMIT @statsKeep`;
}

/** Every count of the source by time bucket: bucket, count (one row, NULL, without time). */
export function bucketTotalsSql(source: string): string {
  return `SELECT b, sum(n) FROM ${source} GROUP BY b`;
}

/**
 * The counts by time bucket of the series whose identities @statsKept lists (a JSON array of
 * arrays, as rankingSql gave them): bucket, the identities, count.
 */
export function keptByBucketSql(source: string, keyCount: number): string {
  const keys = keyColumns(keyCount);
  const ids = keys.map(keyId);
  const listed = keys.map((_key, index) => `value ->> ${index}`).join(', ');
  const match =
    keyCount === 1
      ? `${ids[0]} IN (SELECT ${listed} FROM json_each(@statsKept))`
      : `(${ids.join(', ')}) IN (SELECT ${listed} FROM json_each(@statsKept))`;
  return `SELECT b, ${ids.join(', ')}, sum(n) FROM ${source} WHERE ${match} GROUP BY b, ${keys.join(', ')}`;
}
