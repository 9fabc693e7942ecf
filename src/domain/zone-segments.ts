import { zoneOffsetMs } from './zoned-time.js';

/** A stretch of time over which a zone's offset does not change: from `start` to the next one. */
export interface ZoneSegment {
  start: number;
  offsetMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How far apart the offset is probed: no zone has changed its offset and back within a week. */
const PROBE_MS = 7 * DAY_MS;
/** Years of offset changes remembered per process (zone × year); cleared when full. */
const MAX_CACHED_YEARS = 10_000;
const changesByYear = new Map<string, number[]>();

/**
 * The constant-offset stretches of `zone` over [from, to): the first starts at `from`, each
 * next one at an offset change inside the range. A year's changes are found once per process
 * (Intl is slow: tens of microseconds a probe), so a query over 30 days costs next to nothing.
 */
export function zoneSegments(zone: string, from: number, to: number): ZoneSegment[] {
  const segments: ZoneSegment[] = [{ start: from, offsetMs: zoneOffsetMs(zone, from) }];
  if (zone === 'UTC' || to <= from) return segments;
  const last = new Date(to - 1).getUTCFullYear();
  for (let year = new Date(from).getUTCFullYear(); year <= last; year++) {
    for (const change of changesInYear(zone, year)) {
      if (change > from && change < to)
        segments.push({ start: change, offsetMs: zoneOffsetMs(zone, change) });
    }
  }
  return segments;
}

/** The instants in (start of `year`, start of the next] (UTC) at which `zone`'s offset changes. */
function changesInYear(zone: string, year: number): number[] {
  const key = `${year} ${zone}`;
  let changes = changesByYear.get(key);
  if (changes) return changes;
  changes = [];
  const end = utcYearStart(year + 1);
  let probe = utcYearStart(year);
  let offset = zoneOffsetMs(zone, probe);
  while (probe < end) {
    const next = Math.min(probe + PROBE_MS, end);
    const nextOffset = zoneOffsetMs(zone, next);
    if (nextOffset !== offset) changes.push(firstInstantWithOffset(zone, probe, next, nextOffset));
    offset = nextOffset;
    probe = next;
  }
  if (changesByYear.size >= MAX_CACHED_YEARS) changesByYear.clear();
  changesByYear.set(key, changes);
  return changes;
}

function utcYearStart(year: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, 0, 1);
  return date.getTime();
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
  // Offsets change on whole seconds: the first whole second after `low`.
  return Math.min(Math.floor(low / 1000) * 1000 + 1000, high);
}

/** The offset in force at `at` among `segments` (the first segment's before it). */
export function offsetAt(segments: readonly ZoneSegment[], at: number): number {
  let offset = (segments[0] as ZoneSegment).offsetMs;
  for (const segment of segments) if (segment.start <= at) offset = segment.offsetMs;
  return offset;
}

/**
 * Whether every offset and every change among `segments` falls on a whole UTC hour: then each
 * UTC hour lies inside one hour, and one day, of the zone (what the hourly rollups need).
 */
export function onWholeHours(segments: readonly ZoneSegment[]): boolean {
  return segments.every(
    (segment, index) => segment.offsetMs % HOUR_MS === 0 && (index === 0 || segment.start % HOUR_MS === 0),
  );
}
