import type { ZoneSegment } from './zone-segments.js';

/** More time buckets than this in one answer is refused (narrow the range or group by day). */
export const MAX_STATS_BUCKETS = 10_000;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Day numbers are counted from 1970-01-01 in the zone's calendar; the queries add this many
 * days' worth of milliseconds before dividing, so the dividend is never negative (SQL's integer
 * division truncates toward zero) for any time JavaScript can hold.
 */
export const DAY_SHIFT_DAYS = 100_001_000;
export const DAY_SHIFT_MS = DAY_SHIFT_DAYS * DAY_MS;

/**
 * A time bucket. `key` is what the queries compute for an event: for a day, the day number in
 * the zone; for an hour, the instant (UTC ms) the hour began (two hours of a DST fall-back night
 * that read the same on the clock are two keys). `label` is what the answer shows.
 */
export interface TimeBucket {
  key: number;
  label: string;
}

/** Refused: the range holds too many buckets. */
export class TooManyBucketsError extends Error {
  override readonly name = 'TooManyBucketsError';
}

/** Throws before any work when [from, to) plainly holds more than MAX_STATS_BUCKETS buckets. */
export function assertFewBuckets(unit: 'day' | 'hour', from: number, to: number): void {
  const size = unit === 'day' ? DAY_MS : HOUR_MS;
  // Two buckets of slack: a zone's DST days are an hour short or long.
  if ((to - from) / size > MAX_STATS_BUCKETS + 2) throw tooMany(unit);
}

/** Every bucket of [from, to), in order: the one holding `from` to the one holding `to - 1`. */
export function timeBuckets(
  unit: 'day' | 'hour',
  segments: readonly ZoneSegment[],
  to: number,
): TimeBucket[] {
  const buckets = new Map<number, string>();
  segments.forEach((segment, index) => {
    const end = segments[index + 1]?.start ?? to;
    const { offsetMs } = segment;
    if (unit === 'day') {
      const last = Math.floor((end - 1 + offsetMs) / DAY_MS);
      for (let day = Math.floor((segment.start + offsetMs) / DAY_MS); day <= last; day++) {
        buckets.set(day, dayLabel(day));
        if (buckets.size > MAX_STATS_BUCKETS) throw tooMany(unit);
      }
      return;
    }
    const last = hourKey(end - 1, offsetMs);
    for (let hour = hourKey(segment.start, offsetMs); hour <= last; hour += HOUR_MS) {
      buckets.set(hour, hourLabel(hour, offsetMs));
      if (buckets.size > MAX_STATS_BUCKETS) throw tooMany(unit);
    }
  });
  return [...buckets].sort(([a], [b]) => a - b).map(([key, label]) => ({ key, label }));
}

/** The start (UTC ms) of the hour on the zone's clock that holds `at`, at the offset then. */
export function hourKey(at: number, offsetMs: number): number {
  return Math.floor((at + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs;
}

/** `YYYY-MM-DD` of a day number. */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:00±HH:MM`: the hour's start on the zone's clock, with the offset in force. */
function hourLabel(hourStart: number, offsetMs: number): string {
  const local = new Date(hourStart + offsetMs).toISOString().slice(0, 16);
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function tooMany(unit: 'day' | 'hour'): TooManyBucketsError {
  const hint = unit === 'hour' ? 'narrow the range or group by day' : 'narrow the range';
  return new TooManyBucketsError(`more than ${MAX_STATS_BUCKETS.toLocaleString('en-US')} ${unit}s: ${hint}`);
}
