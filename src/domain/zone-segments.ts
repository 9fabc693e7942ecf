import { zoneOffsetMs } from './zoned-time.js';

/** A stretch of time over which a zone's offset does not change: from `start` to the next one. */
export interface ZoneSegment {
  start: number;
  offsetMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The constant-offset stretches of `zone` over [from, to): the first starts at `from`, each
 * next one at an offset change (found to the second: zones change on whole seconds). Probed a
 * day apart, as zonedDateTimeToUtc assumes: no zone changes its offset twice within a day.
 */
export function zoneSegments(zone: string, from: number, to: number): ZoneSegment[] {
  const segments: ZoneSegment[] = [{ start: from, offsetMs: zoneOffsetMs(zone, from) }];
  if (zone === 'UTC') return segments;
  let probe = from;
  let offset = segments[0]?.offsetMs ?? 0;
  while (probe < to - 1) {
    const next = Math.min(probe + DAY_MS, to - 1);
    const nextOffset = zoneOffsetMs(zone, next);
    if (nextOffset !== offset) {
      const change = firstInstantWithOffset(zone, probe, next, nextOffset);
      segments.push({ start: change, offsetMs: nextOffset });
      offset = nextOffset;
    }
    probe = next;
  }
  return segments;
}

/** The first instant in (before, after] whose offset is `offset`, given that `after` has it. */
function firstInstantWithOffset(zone: string, before: number, after: number, offset: number): number {
  let low = before;
  let high = after;
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetMs(zone, middle) === offset) high = middle;
    else low = middle;
  }
  // Offsets change on whole seconds: the first second after `low` that has the new offset.
  return Math.min(Math.floor(low / 1000) * 1000 + 1000, high);
}
