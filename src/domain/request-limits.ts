/**
 * What one request may ask of the server. Past these, a costly request would stall everyone
 * else on the one SQLite connection: a 15 MB batch took about a second, a 255-word search 10 to
 * 19 times a one-word one.
 */

/** Events in one ingest request. */
export const MAX_BATCH_EVENTS = 1000;

/** Events in one page of the list endpoint (`per_page`); exports and `tail` catch-up ask for full pages. */
export const MAX_PAGE_SIZE = 1000;

/** Leaves of an organization's Merkle tree in one read (`audit-logs/tree/leaves`, `audit verify --full`). */
export const MAX_LEAVES_PER_READ = 10_000;

/** Deliveries in one page of a webhook's delivery list (`per_page`, `audit webhooks deliveries --limit`). */
export const MAX_DELIVERIES_PAGE_SIZE = 500;

/** Events in one page when `per_page` is not given. */
export const DEFAULT_PAGE_SIZE = 100;

/** Bytes of one request body (JSON), an ingest batch included; past it the answer is a 413. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Words of one free-text search (`q`); each is one more full-text lookup. */
export const MAX_SEARCH_WORDS = 16;

/** Values of one list filter (`category`, `action`), counted after splitting at commas. */
export const MAX_LIST_VALUES = 100;

/** Events per rate-limit unit of an ingest batch: 1000 events cost 10 requests. */
export const EVENTS_PER_RATE_UNIT = 100;

/** Search words per extra rate-limit unit: a search costs 1 + ceil(words / 4), so 2 to 5. */
export const SEARCH_WORDS_PER_RATE_UNIT = 4;

/** What an ingest batch of `events` events costs in the rate limit, in requests. */
export function ingestCost(events: number): number {
  return Math.max(1, Math.ceil(events / EVENTS_PER_RATE_UNIT));
}

/** What a list or stream request with a search of `words` words costs (1 without a search). */
export function searchCost(words: number): number {
  return words === 0 ? 1 : 1 + Math.ceil(words / SEARCH_WORDS_PER_RATE_UNIT);
}

/**
 * What a GDPR export or erasure (dry runs included) costs in the rate limit, in requests: each
 * reads the organization's whole log, so a burst of them must run out of budget quickly.
 */
export const GDPR_REQUEST_COST = 10;

/**
 * What an export's range proof costs in the rate limit, in requests: it reads every event of the
 * export once more, and the export's own pages were charged already.
 */
export const EXPORT_PROOF_COST = 10;

/**
 * What a security review (`…/audit-logs/review`) costs in the rate limit, in requests: it runs
 * every rule's queries over the range and its baseline month.
 */
export const REVIEW_REQUEST_COST = 10;

/**
 * Days one security review may cover: a year, a leap year's too. Its work grows with the range
 * (a day chart point and a zone probe per day): 2,000 years took 14 s and answered 22 MB.
 */
export const MAX_REVIEW_DAYS = 366;
