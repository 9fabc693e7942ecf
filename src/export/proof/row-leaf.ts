/**
 * The leaf hash of a row's 18 fields under its salt: domain/merkle/leaf.ts's
 * leafHash(leafBytes(header, commitmentOf(salt, fields))), composed of the domain's text-level
 * parts for the hot loop of a check (a million rows): the commitment as base64 text, the leaf as
 * its canonical text, no Buffer between them. Kept byte-equal to the domain's by
 * test/unit/export-proof-leaf.test.ts.
 */
import { canonicalStringArray } from '../../domain/canonical-json.js';
import { hmacSha256Base64 } from '../../domain/merkle/digest.js';
import { leafHashOfText } from '../../domain/merkle/hashes.js';
import { leafText } from '../../domain/merkle/leaf.js';

export function rowLeafHash(fields: readonly string[], salt: Uint8Array): Buffer {
  const [id, timestamp, category] = fields as [string, string, string];
  return leafHashOfText(
    leafText({ id, timestamp, category }, hmacSha256Base64(salt, canonicalStringArray(fields))),
  );
}
