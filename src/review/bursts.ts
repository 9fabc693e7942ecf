import type { ReviewRow } from '../store/review-queries.js';

/** Events of one key (an address or a person) close together in time. */
export interface Burst {
  key: string;
  rows: ReviewRow[];
  first: number;
  last: number;
}

/**
 * Burst rows (each in some window of `windowMs` holding enough of them, see burstRows) ordered
 * by key and time, grouped into bursts: overlapping windows merge, so a run of rows of one key
 * with gaps under `windowMs` is one burst.
 */
export function groupBursts(rows: readonly ReviewRow[], windowMs: number): Burst[] {
  const bursts: Burst[] = [];
  let current: Burst | undefined;
  for (const row of rows) {
    const key = String(row.detail);
    if (current && current.key === key && row.ts - current.last < windowMs) {
      current.rows.push(row);
      current.last = row.ts;
    } else {
      current = { key, rows: [row], first: row.ts, last: row.ts };
      bursts.push(current);
    }
  }
  return bursts;
}
