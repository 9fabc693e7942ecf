/**
 * An event's 18 fields as the leaves route lists them (strings as stored, `changes` and
 * `metadata` as their stored JSON text) made into what its leaf committed to — leafFields of
 * src/domain/merkle/leaf.ts, with the two JSON fields canonical — and checked against the
 * commitment under the event's salt.
 */
import { canonicalJson, canonicalStringArray } from '../domain/canonical-json.js';
import { hmacSha256Base64 } from '../domain/merkle/digest.js';

const CHANGES = 16;
const METADATA = 17;

export interface FieldsCheck {
  matches: boolean;
  /** The event's metadata as parsed (what an erasure or purge record says), when it matches. */
  metadata: unknown;
}

const NO_MATCH: FieldsCheck = { matches: false, metadata: undefined };

/** Whether HMAC-SHA-256(salt, canonical fields) is `commitment`. */
export function checkLeafFields(fields: readonly unknown[], salt: Buffer, commitment: Buffer): FieldsCheck {
  return checkLeafFieldsBase64(fields, salt, commitment.toString('base64'));
}

/** checkLeafFields of a commitment given as base64 (Buffer's: bytes and text are one to one). */
export function checkLeafFieldsBase64(
  fields: readonly unknown[],
  salt: Buffer,
  commitmentBase64: string,
): FieldsCheck {
  const committed = committedFields(fields);
  if (committed === undefined) return NO_MATCH;
  const digest = hmacSha256Base64(salt, canonicalStringArray(committed.fields));
  return digest === commitmentBase64 ? { matches: true, metadata: committed.metadata } : NO_MATCH;
}

/**
 * The fields a commitment covers, or undefined when they cannot be what was sealed: a value that
 * is not a string (a column edited to another type) or JSON text that does not parse.
 */
export function committedFields(
  fields: readonly unknown[],
): { fields: string[]; metadata: unknown } | undefined {
  for (const value of fields) if (typeof value !== 'string') return undefined;
  const strings = (fields as string[]).slice();
  let metadata: unknown;
  try {
    strings[CHANGES] = canonicalText(strings[CHANGES] as string).text;
    const parsed = canonicalText(strings[METADATA] as string);
    strings[METADATA] = parsed.text;
    metadata = parsed.value;
  } catch {
    return undefined;
  }
  return { fields: strings, metadata };
}

/** Stored JSON text as leafFields writes it: "" for none (or JSON null), else canonical JSON. */
function canonicalText(stored: string): { text: string; value: unknown } {
  if (stored === '') return { text: '', value: undefined };
  const value: unknown = JSON.parse(stored);
  return { text: value === null ? '' : canonicalJson(value), value };
}
