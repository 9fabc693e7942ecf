/**
 * Event ids. The server makes `log_` + a ULID; a sender may bring its own id of a wider, still
 * safe shape (the reference product's `log_1a2b3c4d5e6f`), so retries and imports stay
 * idempotent. Ids are compared exactly (case matters); order comes from ingest, never from ids.
 */
export const EVENT_ID_MAX_SUFFIX = 64;

/** The source of the rule, as a JSON Schema `pattern` (the OpenAPI document shows it). */
export const EVENT_ID_SOURCE = `^log_[A-Za-z0-9_-]{1,${EVENT_ID_MAX_SUFFIX}}$`;

export const EVENT_ID_PATTERN = new RegExp(EVENT_ID_SOURCE);

/** The rule in words, for the refusal of an id that breaks it. */
export const EVENT_ID_RULE = `must be "log_" followed by 1 to ${EVENT_ID_MAX_SUFFIX} letters, digits, "_" or "-"`;

export function isEventId(value: string): boolean {
  return EVENT_ID_PATTERN.test(value);
}
