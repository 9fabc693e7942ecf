import type { Async } from '../port.js';
import type { ReviewStore } from '../review-store.js';
import type { Queryable } from './pool.js';
import { createPgReviewAggregates } from './review-aggregates.js';
import { createPgReviewQueries } from './review-queries.js';
import { pgRowsOf } from './review-rows.js';

/**
 * The security review's reads (src/store/review-store.ts) on PostgreSQL. src/review calls them
 * inside one Engine.read, so every rule reads the same snapshot; on the pool each statement
 * stands alone, as SQLite's do outside a transaction.
 */
export function createPgReview(db: Queryable): Async<ReviewStore> {
  const all = pgRowsOf(db);
  return { ...createPgReviewQueries(all), ...createPgReviewAggregates(all) };
}
