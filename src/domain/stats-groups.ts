import { isTimeDimension, type StatsDimension, type StatsGroup } from './stats.js';
import type { TimeBucket } from './stats-buckets.js';

/** Without `top`, at most this many groups of the non-time dimensions; the rest are `other`. */
export const MAX_STATS_GROUPS = 1000;

/** One count as a query returns it: the time bucket's key (or null) and the non-time keys. */
export interface CountRow {
  bucket: number | null;
  keys: (string | null)[];
  count: number;
}

export interface GroupsRequest {
  /** As the caller asked for them: the answer's keys come in this order. */
  dimensions: readonly StatsDimension[];
  /** Every bucket of the range, in order, when a dimension is day or hour. */
  buckets: readonly TimeBucket[] | null;
  top?: number;
}

interface Series {
  keys: (string | null)[];
  total: number;
  byBucket: Map<number | null, number>;
}

/**
 * The answer's groups from the counts of any query path (rows of one group may come in
 * several parts: they are summed). The non-time series are ranked by their total over the
 * range; the first `top` (else MAX_STATS_GROUPS) are kept and the rest summed as `other`, per
 * bucket. Every bucket is present: one with no events is one group of count 0.
 */
export function shapeGroups(
  rows: Iterable<CountRow>,
  request: GroupsRequest,
): { groups: StatsGroup[]; total: number; top: number | null } {
  const series = new Map<string, Series>();
  let total = 0;
  for (const row of rows) {
    if (row.count === 0) continue;
    const id = JSON.stringify(row.keys);
    let entry = series.get(id);
    if (!entry) {
      entry = { keys: row.keys, total: 0, byBucket: new Map() };
      series.set(id, entry);
    }
    entry.total += row.count;
    entry.byBucket.set(row.bucket, (entry.byBucket.get(row.bucket) ?? 0) + row.count);
    total += row.count;
  }
  const ranked = [...series.values()].sort((a, b) => b.total - a.total || compareKeys(a.keys, b.keys));
  const keep = request.top ?? MAX_STATS_GROUPS;
  const kept = ranked.slice(0, keep);
  const rest = ranked.slice(keep);
  const top = request.top ?? (rest.length > 0 ? MAX_STATS_GROUPS : null);
  const make = groupMaker(request.dimensions);

  if (!request.buckets) {
    const groups = kept.map((entry) => make(null, entry.keys, entry.total));
    if (rest.length)
      groups.push(
        make(
          null,
          null,
          sum(rest, (entry) => entry.total),
          true,
        ),
      );
    return { groups, total, top };
  }
  const groups: StatsGroup[] = [];
  for (const bucket of request.buckets) {
    const before = groups.length;
    for (const entry of kept) {
      const count = entry.byBucket.get(bucket.key);
      if (count) groups.push(make(bucket.label, entry.keys, count));
    }
    const other = sum(rest, (entry) => entry.byBucket.get(bucket.key) ?? 0);
    if (other) groups.push(make(bucket.label, null, other, true));
    if (groups.length === before) groups.push(make(bucket.label, null, 0));
  }
  const placed = sum(groups, (group) => group.count);
  // A count outside every bucket would be lost from the chart: the queries and the buckets disagree.
  if (placed !== total) throw new Error(`stats: ${total - placed} events fell outside the time buckets`);
  return { groups, total, top };
}

/** Builds a group: its keys in the order of `dimensions` (null keys for `other`), then count. */
function groupMaker(dimensions: readonly StatsDimension[]) {
  return (label: string | null, keys: (string | null)[] | null, count: number, other?: true) => {
    const group: Record<string, unknown> = {};
    let index = 0;
    for (const dimension of dimensions) {
      group[dimension] = isTimeDimension(dimension) ? label : keys ? (keys[index++] ?? null) : null;
    }
    group.count = count;
    if (other) group.other = true;
    return group as unknown as StatsGroup;
  };
}

/** Key by key: ascending in code point order, null last. */
export function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return compareCodePoints(x, y);
  }
  return 0;
}

/** Code point order (UTF-8 byte order), not UTF-16's, where U+E000–U+FFFF sort after emoji. */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
