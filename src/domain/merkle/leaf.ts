/**
 * What one event contributes to its organization's Merkle tree.
 *
 * The event's content enters the leaf only as a salted commitment: HMAC-SHA-256 under a random
 * salt of that event, over the canonical JSON (RFC 8785) of its 18 export fields in the SPEC's
 * CSV order — strings, a missing value as "", `changes` and `metadata` as canonical JSON text.
 * The same fields come out of a JSON, NDJSON or CSV export, so a file of any of those formats
 * can be checked against the tree. Erasure deletes the salt of every event it rewrites: the
 * leaf, the roots and the proofs stay valid, and what is left (a commitment without its salt)
 * cannot be brute-forced back to the erased values, not even an email from a list.
 *
 * The leaf itself is the canonical JSON of {v, id, timestamp, category, commitment}: the id,
 * time and category say which event a leaf stands for (none of them is personal data, and
 * erasure never changes them), so a check can name an event that was changed or removed.
 */
import { canonicalJson, canonicalString, canonicalStringArray } from '../canonical-json.js';
import type { AuditEvent, JsonObject } from '../event.js';
import { exportFields } from '../export-fields.js';
import { hmacSha256, hmacSha256Base64 } from './digest.js';
import { leafHash, leafHashOfTextBinary } from './hashes.js';

export const LEAF_VERSION = 1;
export const SALT_BYTES = 32;

/** The 18 fields of an event a commitment covers, in the SPEC's CSV column order. */
export function leafFields(event: AuditEvent): string[] {
  return exportFields(event, LEAF_ENCODING);
}

// Strings as they are (a CSV cell's formula guard is undone before checking), JSON canonical.
const LEAF_ENCODING = { text: (value: string) => value, json: (value: JsonObject) => canonicalJson(value) };

/** HMAC-SHA-256(salt, canonical JSON of the fields). */
export function commitmentOf(salt: Uint8Array, fields: readonly string[]): Buffer {
  return hmacSha256(salt, canonicalStringArray(fields));
}

export interface LeafHeader {
  id: string;
  timestamp: string;
  category: string;
}

/** The leaf's bytes: canonical JSON of the header and the commitment. */
export function leafBytes(header: LeafHeader, commitment: Uint8Array): Buffer {
  const encoded = Buffer.from(commitment).toString('base64');
  const { id, timestamp, category } = header;
  // A header that is not all strings (only a hostile caller's) takes the general path.
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof category !== 'string')
    return Buffer.from(
      canonicalJson({ v: LEAF_VERSION, id, timestamp, category, commitment: encoded }),
      'utf8',
    );
  return Buffer.from(leafText(header, encoded), 'utf8');
}

/**
 * The leaf's text, written out with its keys in canonical order (a million leaves are checked
 * at a time); test/unit/merkle-leaf.test.ts holds it equal to canonicalJson of the object.
 */
export function leafText(header: LeafHeader, commitmentBase64: string): string {
  return `{"category":${canonicalString(header.category)},"commitment":${canonicalString(commitmentBase64)},"id":${canonicalString(header.id)},"timestamp":${canonicalString(header.timestamp)},"v":${LEAF_VERSION}}`;
}

/**
 * Writes a leaf into `out` at `offset`: 32 bytes of commitment (commitmentOf), then 32 of leaf
 * hash (leafHash of leafBytes), with no Buffer made per hash: a tree's every new leaf is made so.
 * The leaf text holds no lone surrogate (JSON escapes it), so its UTF-8 is leafBytes'.
 * test/unit/merkle-leaf.test.ts holds it equal to the functions above.
 */
export function writeLeaf(
  header: LeafHeader,
  fields: readonly string[],
  salt: Uint8Array,
  out: Buffer,
  offset: number,
): void {
  const commitment = hmacSha256Base64(salt, canonicalStringArray(fields));
  out.write(commitment, offset, 'base64');
  const { id, timestamp, category } = header;
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof category !== 'string')
    out.set(leafHash(leafBytes(header, out.subarray(offset, offset + 32))), offset + 32);
  else out.write(leafHashOfTextBinary(leafText(header, commitment)), offset + 32, 'binary');
}

/** The Merkle leaf hash of an event under its salt. */
export function eventLeafHash(event: AuditEvent, salt: Uint8Array): Buffer {
  return leafHash(leafBytes(event, commitmentOf(salt, leafFields(event))));
}
