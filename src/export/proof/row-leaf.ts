/**
 * The leaf hash of a row's 18 fields under its salt: domain/merkle/leaf.ts's
 * leafHash(leafBytes(header, commitmentOf(salt, fields))), written out for the hot loop of a
 * check (a million rows): the canonical JSON of a list of strings and of the five-key leaf
 * object are built directly instead of walking and sorting generic values. Kept byte-equal to
 * the domain's by test/unit/export-proof-leaf.test.ts.
 */
import { hmacSha256Base64, sha256 } from '../../domain/merkle/digest.js';
import { LEAF_VERSION } from '../../domain/merkle/leaf.js';

export function rowLeafHash(fields: readonly string[], salt: Uint8Array): Buffer {
  // canonicalJson of a list of strings is JSON.stringify's (domain/canonical-json.ts).
  const commitment = hmacSha256Base64(salt, JSON.stringify(fields));
  // RFC 8785 orders the keys by UTF-16 code units: category, commitment, id, timestamp, v.
  const bytes = `{"category":${JSON.stringify(fields[2])},"commitment":"${commitment}","id":${JSON.stringify(
    fields[0],
  )},"timestamp":${JSON.stringify(fields[1])},"v":${LEAF_VERSION}}`;
  // The leaf prefix 0x00 is U+0000 in UTF-8: hashed as one string, no buffer is made.
  return sha256(`\u0000${bytes}`);
}
