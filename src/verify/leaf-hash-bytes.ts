/**
 * leafHashOfTextBinary(leafText(…)) of a leaf whose id, timestamp and category are, quotes
 * included, bytes of a row: strings of valid UTF-8 with no backslash and no control byte, which
 * canonical JSON (JSON.stringify) writes exactly as they are listed, so the leaf's text is made
 * of those bytes as they came, with no string decoded and encoded again.
 * test/unit/leaf-row-bytes.test.ts holds it equal to the general path (the leaf hash of each row).
 */
import { sha256Binary } from '../domain/merkle/digest.js';
import { LEAF_VERSION } from '../domain/merkle/leaf.js';

const CATEGORY = Buffer.from('\0{"category":');
const COMMITMENT = Buffer.from(',"commitment":"');
const ID = Buffer.from('","id":');
const TIMESTAMP = Buffer.from(',"timestamp":');
const VERSION = Buffer.from(`,"v":${LEAF_VERSION}}`);
/** The leaf's text is written here when it fits (an ordinary leaf's is ~180 bytes). */
const scratch = Buffer.alloc(4096);

/**
 * The leaf hash of id bytes[idStart, idEnd), timestamp bytes[timeStart, timeEnd) and category
 * bytes[categoryStart, categoryEnd), each a plain string with its quotes, and the commitment.
 */
export function leafHashOfRowBytes(
  bytes: Uint8Array,
  idStart: number,
  idEnd: number,
  timeStart: number,
  timeEnd: number,
  categoryStart: number,
  categoryEnd: number,
  commitmentBase64: string,
): string {
  const length =
    CATEGORY.length +
    (categoryEnd - categoryStart) +
    COMMITMENT.length +
    commitmentBase64.length +
    ID.length +
    (idEnd - idStart) +
    TIMESTAMP.length +
    (timeEnd - timeStart) +
    VERSION.length;
  const out = length <= scratch.length ? scratch : Buffer.allocUnsafe(length);
  let at = put(out, 0, CATEGORY, 0, CATEGORY.length);
  at = put(out, at, bytes, categoryStart, categoryEnd);
  at = put(out, at, COMMITMENT, 0, COMMITMENT.length);
  at += out.write(commitmentBase64, at, 'latin1');
  at = put(out, at, ID, 0, ID.length);
  at = put(out, at, bytes, idStart, idEnd);
  at = put(out, at, TIMESTAMP, 0, TIMESTAMP.length);
  at = put(out, at, bytes, timeStart, timeEnd);
  at = put(out, at, VERSION, 0, VERSION.length);
  return sha256Binary(out.subarray(0, at));
}

/** Copies part[from, to) into out at `at`; answers where it ends. */
function put(out: Buffer, at: number, part: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) out[at++] = part[i] as number;
  return at;
}
