import type { Category } from './categories.js';

/**
 * A parsed list query. Every field narrows the result; arrays mean "any of".
 * Times are epoch milliseconds; `toExclusive` is already the exclusive upper bound.
 */
export interface EventFilter {
  categories?: Category[];
  /** Exact actions, or prefixes given as `tunnel.*` (stored here without the `*`, e.g. `tunnel.`). */
  actions?: string[];
  actionPrefixes?: string[];
  /** Actor id, email or name. */
  actor?: string;
  actorId?: string;
  /** `actor=me`: the caller's own events, by user id or email (the reference's personal audit log). */
  self?: { userId: string; email: string };
  /** Target id or name. */
  target?: string;
  /** Target id or name, team name, or actor email (the reference's "Resource" filter). */
  resource?: string;
  ip?: string;
  teamId?: string;
  /** Free text, as the user typed it. */
  text?: string;
  from?: number;
  toExclusive?: number;
  /** Only events the server received before this instant: pins an export's upper bound. */
  receivedBefore?: number;
  /** Only events stored at or before this sequence number: the first leaves of the tree (`tree_size`). */
  maxSeq?: number;
  /** Include `access` events (page views, API calls). */
  detailed?: boolean;
}

/** What a caller may see, derived from the token's role (see server/permissions). */
export type VisibilityScope =
  | { kind: 'organization' }
  | { kind: 'team'; teamId: string; userId: string; email: string }
  | { kind: 'self'; userId: string; email: string };
