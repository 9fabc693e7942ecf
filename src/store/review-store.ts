import type { Db } from './database.js';
import { createReviewAggregates, type ReviewAggregates } from './review-aggregates.js';
import { createReviewQueries, type ReviewQueries } from './review-queries.js';

/** The security review's reads (src/review): its indexed row queries and its aggregates. */
export type ReviewStore = ReviewQueries & ReviewAggregates;

export function createReviewStore(db: Db): ReviewStore {
  return { ...createReviewQueries(db), ...createReviewAggregates(db) };
}
