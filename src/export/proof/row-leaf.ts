/**
 * The leaf hash of a row's 18 fields under its salt: domain/merkle/leaf.ts's
 * leafHash(leafBytes(header, commitmentOf(salt, fields))), written out for the hot loop of a
 * check (a million rows): the canonical JSON of a list of strings and of the five-key leaf
 * object are built directly instead of walking and sorting generic values. Kept byte-equal to
 * the domain's by test/unit/export-proof-leaf.test.ts.
 */
import { createHmac, hash } from 'node:crypto';
import { LEAF_VERSION } from '../../domain/merkle/leaf.js';

const LEAF_PREFIX = Buffer.from([0x00]);

export function rowLeafHash(fields: readonly string[], salt: Uint8Array): Buffer {
  let text = '[';
  for (let i = 0; i < fields.length; i++) text += (i === 0 ? '' : ',') + jsonString(fields[i] as string);
  const commitment = createHmac('sha256', salt).update(`${text}]`).digest('base64');
  // RFC 8785 orders the keys by UTF-16 code units: category, commitment, id, timestamp, v.
  const bytes = `{"category":${jsonString(fields[2] as string)},"commitment":"${commitment}","id":${jsonString(
    fields[0] as string,
  )},"timestamp":${jsonString(fields[1] as string)},"v":${LEAF_VERSION}}`;
  return hash('sha256', Buffer.concat([LEAF_PREFIX, Buffer.from(bytes, 'utf8')]), 'buffer');
}

/** JSON.stringify of a string, refusing half a surrogate pair as canonicalJson does. */
function jsonString(text: string): string {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed())
    throw new TypeError('JSON text for hashing cannot hold half a surrogate pair');
  return JSON.stringify(text);
}
