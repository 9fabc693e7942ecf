import { zoneSegments } from './zone-segments.js';

/** A stretch of time over which a zone's offset from UTC does not change. */
export interface OffsetSegment {
  /** The first instant of the stretch. */
  from: number;
  offsetMs: number;
}

/**
 * The zone's constant-offset stretches covering [from, to), oldest first: one for UTC, and a new
 * one at each DST or rule change (found by zone-segments.ts, once per zone and year).
 */
export function offsetSegments(zone: string, from: number, to: number): OffsetSegment[] {
  return zoneSegments(zone, from, to).map(({ start, offsetMs }) => ({ from: start, offsetMs }));
}

/** The offset in force at `at` among `segments` (the first segment's before it). */
export function offsetAt(segments: readonly OffsetSegment[], at: number): number {
  let offset = (segments[0] as OffsetSegment).offsetMs;
  for (const segment of segments) if (segment.from <= at) offset = segment.offsetMs;
  return offset;
}
