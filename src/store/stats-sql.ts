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

/** The SELECT list and GROUP BY of a counting query: bucket (or NULL), then the keys. */
export function groupingSql(
  bucket: string | null,
  keys: readonly KeyDimension[],
): { select: string; groupBy: string } {
  const columns = [bucket ?? 'NULL', ...keys.map((key) => KEY_SQL[key])];
  const positions = columns.map((_column, index) => index + 1).slice(bucket ? 0 : 1);
  return {
    select: columns.join(', '),
    groupBy: positions.length ? ` GROUP BY ${positions.join(', ')}` : '',
  };
}
