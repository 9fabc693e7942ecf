import { isTimeDimension, MAX_STATS_GROUPS, type StatsDimension, type StatsGroup } from './stats.js';
import type { TimeBucket } from './stats-buckets.js';

/** A series of the non-time keys and its count over the whole range. */
export interface RankedSeries {
  keys: (string | null)[];
  total: number;
}

/**
 * What the queries return, each part bounded by the size of the answer, not by how many distinct
 * keys the events hold.
 */
export interface RankedCounts {
  /**
   * The first `top` (else MAX_STATS_GROUPS) series, ranked: by total, descending, then key by
   * key ascending in code point (UTF-8 byte) order, null last. The query ranks them (SQL, so the
   * rest never reach memory); without non-time keys, the one series of keys [] if any counts.
   */
  kept: RankedSeries[];
  /** With a time dimension, the counts of the kept series by bucket: `series` indexes `kept`. */
  keptByBucket: { bucket: number | null; series: number; count: number }[];
  /** The count of everything matched, by bucket (one row, bucket null, without a time dimension). */
  bucketTotals: { bucket: number | null; count: number }[];
}

export interface GroupsRequest {
  /** As the caller asked for them: the answer's keys come in this order. */
  dimensions: readonly StatsDimension[];
  /** Every bucket of the range, in order, when a dimension is day or hour. */
  buckets: readonly TimeBucket[] | null;
  top?: number;
}

/** How many series the answer keeps before the rest become `other`. */
export function keptSeries(top: number | undefined): number {
  return top ?? MAX_STATS_GROUPS;
}

/**
 * The answer's groups from the ranked counts: the kept series, and the rest summed as `other`
 * (per bucket: the bucket's total less its kept series). Every bucket is present: one with no
 * events is one group of count 0.
 */
export function shapeGroups(
  counts: RankedCounts,
  request: GroupsRequest,
): { groups: StatsGroup[]; total: number; top: number | null } {
  const total = sum(counts.bucketTotals, (row) => row.count);
  const kept = counts.kept.slice(0, keptSeries(request.top));
  const rest = total - sum(kept, (entry) => entry.total);
  const top = request.top ?? (rest > 0 ? MAX_STATS_GROUPS : null);
  const make = groupMaker(request.dimensions);

  if (!request.buckets) {
    const groups = kept.map((entry) => make(null, entry.keys, entry.total));
    if (rest > 0) groups.push(make(null, null, rest, true));
    return { groups, total, top };
  }
  const keptByBucket = new Map<number | null, Map<number, number>>();
  for (const row of counts.keptByBucket) {
    if (!row.count) continue;
    let bySeries = keptByBucket.get(row.bucket);
    if (!bySeries) {
      bySeries = new Map();
      keptByBucket.set(row.bucket, bySeries);
    }
    bySeries.set(row.series, (bySeries.get(row.series) ?? 0) + row.count);
  }
  const bucketTotals = new Map<number | null, number>();
  for (const row of counts.bucketTotals)
    bucketTotals.set(row.bucket, (bucketTotals.get(row.bucket) ?? 0) + row.count);

  const groups: StatsGroup[] = [];
  for (const bucket of request.buckets) {
    const before = groups.length;
    const bySeries = keptByBucket.get(bucket.key);
    let placed = 0;
    kept.forEach((entry, index) => {
      const count = bySeries?.get(index);
      if (!count) return;
      groups.push(make(bucket.label, entry.keys, count));
      placed += count;
    });
    const other = (bucketTotals.get(bucket.key) ?? 0) - placed;
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

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
