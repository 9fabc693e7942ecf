import type { ZoneSegment } from '../domain/zone-segments.js';
import type { Async } from '../store/port.js';
import type { ReviewAggregates } from '../store/review-aggregates.js';
import type { ReviewQueries } from '../store/review-queries.js';

/** What one review reads from and about: the store's queries, the organization, range and zone. */
export interface ReviewSources {
  queries: Async<ReviewQueries>;
  aggregates: Async<ReviewAggregates>;
  orgId: number;
  from: number;
  to: number;
  /** The IANA zone of day charts and hour rules, and its offsets over the range (and baselines). */
  zone: string;
  offsets: readonly ZoneSegment[];
}
