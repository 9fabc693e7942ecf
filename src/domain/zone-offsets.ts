import { zoneOffsetMs } from './zoned-time.js';

const DAY_MS = 86_400_000;

/** A stretch of time over which a zone's offset from UTC does not change. */
export interface OffsetSegment {
  /** The first instant of the stretch. */
  from: number;
  offsetMs: number;
}

/**
 * The zone's constant-offset stretches covering [from, to), oldest first: one for UTC, and a new
 * one at each DST or rule change. No zone changes its offset twice within a day, so a daily
 * probe finds every change, and a binary search (to the second) finds where it happened.
 */
export function offsetSegments(zone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ from, offsetMs: zoneOffsetMs(zone, from) }];
  if (zone === 'UTC') return segments;
  for (let probe = from; probe < to; ) {
    const next = Math.min(probe + DAY_MS, to);
    const current = (segments.at(-1) as OffsetSegment).offsetMs;
    const offsetMs = zoneOffsetMs(zone, next);
    if (offsetMs !== current) {
      let [low, high] = [probe, next];
      while (high - low > 1000) {
        const middle = Math.floor((low + high) / 2);
        if (zoneOffsetMs(zone, middle) === current) low = middle;
        else high = middle;
      }
      segments.push({ from: Math.floor(high / 1000) * 1000, offsetMs });
    }
    probe = next;
  }
  return segments;
}

/** The offset in force at `at` among `segments` (the first segment's before it). */
export function offsetAt(segments: readonly OffsetSegment[], at: number): number {
  let offset = (segments[0] as OffsetSegment).offsetMs;
  for (const segment of segments) if (segment.from <= at) offset = segment.offsetMs;
  return offset;
}
