/** Secrets are never stored: the redaction applied on ingest to metadata, changes and context. */
import type { JsonObject, JsonValue } from './event.js';

export const REDACTED = '[REDACTED]';

/**
 * Compared against the key lowercased with '-', '_', '.' and spaces removed, so `api_key` also
 * covers `apiKey`, `API-KEY` and `x_api_key`. The SPEC says any key that *contains* one of these
 * words, so `tokens_used` or `cookie_consent` are redacted too: deliberate, a false positive only
 * hides a value, a false negative stores a secret.
 */
const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'credential',
];

const BEARER = /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// No word boundaries: a token glued to other text (`x=adt_…`, `my_adt_…`) is still a token.
const AUDIT_TOKEN = /adt_[0-9A-Za-z]{46}/g;
/** What every match of BEARER, JWT or AUDIT_TOKEN contains (and, case aside, a little more). */
const MAY_HOLD_SECRET = /bearer|eyJ|adt_/i;
/**
 * Prose such as "Bearer token expired" (a typical failure reason) is not a credential. Only
 * these plain words are spared, so any unknown word after "Bearer" is still redacted.
 */
const BEARER_PROSE_WORDS = new Set([
  'token',
  'tokens',
  'auth',
  'authentication',
  'authorization',
  'scheme',
  'header',
  'credentials',
  'missing',
  'required',
  'invalid',
  'expired',
  'is',
  'was',
  'of',
  'the',
  'a',
  'an',
  'and',
  'or',
  'not',
]);

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_.\s]/g, '');
  return SECRET_KEY_WORDS.some((word) => normalized.includes(word));
}

function redactBearer(match: string): string {
  const credential = match.replace(/^bearer\s+/i, '').replace(/\.+$/, '');
  return BEARER_PROSE_WORDS.has(credential.toLowerCase()) ? match : REDACTED;
}

/** Same rules as redactSecrets for a single string value (free-text fields such as description). */
export function redactSecretString(value: string): string {
  // Nearly every string holds none of the three: one scan instead of three replace passes
  // (the redaction was a fifth of the time an event takes to normalize).
  if (!MAY_HOLD_SECRET.test(value)) return value;
  return value.replace(BEARER, redactBearer).replace(JWT, REDACTED).replace(AUDIT_TOKEN, REDACTED);
}

/**
 * Returns a deep copy in which every value under a secret-looking key (any depth, objects in
 * arrays too) is REDACTED whatever its type, and every bearer token, JWT or audit API token
 * inside a string is replaced by REDACTED. The input is not modified.
 */
export function redactSecrets<T extends JsonValue>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactSecretString(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  return redactObject(value);
}

function redactObject(object: JsonObject): JsonObject {
  // fromEntries defines own properties, so a `__proto__` key stays data instead of a prototype.
  return Object.fromEntries(
    Object.entries(object).map(([key, child]) => [key, isSecretKey(key) ? REDACTED : redactValue(child)]),
  );
}
