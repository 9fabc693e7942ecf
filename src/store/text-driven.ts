import type { EventFilter } from '../domain/filters.js';
import { searchPhrases, toFtsQuery } from '../domain/free-text.js';
import type { Db } from './database.js';

/** Up to this many full-text hits, a search reads its hits rather than walking the time index. */
const TEXT_DRIVEN_MAX_HITS = 5000;

/**
 * Whether a filtered read is driven by its full-text hits. A rare term: read its hits and sort
 * them. A common one: walk the time index, which meets a page of hits soon (reading every hit of
 * a common term would be the slow way).
 */
export function createTextDrivenCheck(db: Db): (filter: EventFilter) => boolean {
  // How many full-text hits a search has, counted up to TEXT_DRIVEN_MAX_HITS only.
  const countTextHits = db
    .prepare<[string]>(
      `SELECT count(*) FROM (SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ${TEXT_DRIVEN_MAX_HITS})`,
    )
    .pluck();
  return (filter) =>
    filter.text !== undefined &&
    Number(countTextHits.get(toFtsQuery(searchPhrases(filter.text)))) < TEXT_DRIVEN_MAX_HITS;
}
