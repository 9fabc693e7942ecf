import type { FindingChart } from '../domain/review.js';
import { offsetAt, type ZoneSegment } from '../domain/zone-segments.js';

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of the instant `ts` in the zone whose offsets `zone` lists. */
export function localDay(ts: number, zone: readonly ZoneSegment[]): number {
  return Math.floor((ts + offsetAt(zone, ts)) / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A time chart with every day from `firstDay` to `lastDay`, zero where `counts` has none. */
export function dayChart(
  title: string,
  counts: ReadonlyMap<number, number>,
  firstDay: number,
  lastDay: number,
): FindingChart {
  const points: { at: string; count: number }[] = [];
  for (let day = firstDay; day <= lastDay; day++)
    points.push({ at: dayText(day), count: counts.get(day) ?? 0 });
  return { kind: 'time', title, bucket: 'day', points };
}
