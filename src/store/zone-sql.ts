import type { ZoneSegment } from '../domain/zone-segments.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Added before dividing so that SQLite's integer division (toward zero) floors times before 1970. */
const SHIFT_DAYS = 1_000_000;
const SHIFT_MS = SHIFT_DAYS * DAY_MS;

/**
 * The wall-clock time of `ts` in a zone, as SQL: a CASE over the zone's constant-offset stretches
 * (plain SQL, no extension). Every number in it is an integer made here, never caller text.
 */
export function localTimeSql(segments: readonly ZoneSegment[]): string {
  for (const segment of segments) {
    if (!Number.isSafeInteger(segment.start) || !Number.isSafeInteger(segment.offsetMs))
      throw new RangeError('zone segments must be whole milliseconds');
  }
  const [first, ...rest] = segments;
  if (!first) throw new RangeError('no zone segments');
  if (rest.length === 0) return `(ts + ${first.offsetMs})`;
  // The stretch in force at ts is the last one starting at or before it: test them newest first.
  const arms = [...rest]
    .reverse()
    .map((segment) => `WHEN ts >= ${segment.start} THEN ts + ${segment.offsetMs}`)
    .join(' ');
  return `(CASE ${arms} ELSE ts + ${first.offsetMs} END)`;
}

/** Days since 1970-01-01 of `ts` in the zone (floored). */
export function localDaySql(segments: readonly ZoneSegment[]): string {
  return `((${localTimeSql(segments)} + ${SHIFT_MS}) / ${DAY_MS} - ${SHIFT_DAYS})`;
}

/** The hour of the day, 0–23, of `ts` in the zone. */
export function localHourSql(segments: readonly ZoneSegment[]): string {
  return `(((${localTimeSql(segments)} + ${SHIFT_MS}) / ${HOUR_MS}) % 24)`;
}
