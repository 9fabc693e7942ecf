/**
 * leafHashOfTextBinary(leafText(…)) of a leaf whose id, timestamp and category are, quotes
 * included, bytes of a row: strings of valid UTF-8 with no backslash and no control byte, which
 * canonical JSON (JSON.stringify) writes exactly as they are listed, so the leaf's text is made
 * of those bytes as they came, with no string decoded and encoded again.
 * test/unit/leaf-row-bytes.test.ts holds it equal to the general path (the leaf hash of each row).
 */
import { PrefixViews, sha256Binary } from './digest.js';
import { LEAF_VERSION } from './leaf.js';

const CATEGORY = Buffer.from('\0{"category":');
const COMMITMENT = Buffer.from(',"commitment":"');
const ID = Buffer.from('","id":');
const TIMESTAMP = Buffer.from(',"timestamp":');
const VERSION = Buffer.from(`,"v":${LEAF_VERSION}}`);
/** The leaf's text is written here when it fits (an ordinary leaf's is ~180 bytes). */
const scratch = Buffer.alloc(4096);
const scratchViews = new PrefixViews(scratch);

/**
 * The leaf hash of id bytes[idStart, idEnd), timestamp bytes[timeStart, timeEnd) and category
 * bytes[categoryStart, categoryEnd), each a plain string with its quotes, and the commitment (32
 * bytes, written in base64 as the leaf's text holds it).
 */
export function leafHashOfRowBytes(
  bytes: Uint8Array,
  idStart: number,
  idEnd: number,
  timeStart: number,
  timeEnd: number,
  categoryStart: number,
  categoryEnd: number,
  commitment: Uint8Array,
): string {
  const length =
    CATEGORY.length +
    (categoryEnd - categoryStart) +
    COMMITMENT.length +
    COMMITMENT_BASE64_LENGTH +
    ID.length +
    (idEnd - idStart) +
    TIMESTAMP.length +
    (timeEnd - timeStart) +
    VERSION.length;
  const out = length <= scratch.length ? scratch : Buffer.allocUnsafe(length);
  let at = put(out, 0, CATEGORY, 0, CATEGORY.length);
  at = put(out, at, bytes, categoryStart, categoryEnd);
  at = put(out, at, COMMITMENT, 0, COMMITMENT.length);
  at = putBase64(out, at, commitment);
  at = put(out, at, ID, 0, ID.length);
  at = put(out, at, bytes, idStart, idEnd);
  at = put(out, at, TIMESTAMP, 0, TIMESTAMP.length);
  at = put(out, at, bytes, timeStart, timeEnd);
  at = put(out, at, VERSION, 0, VERSION.length);
  return sha256Binary(out === scratch ? scratchViews.of(at) : out.subarray(0, at));
}

const BASE64_DIGITS = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
/** base64 of 32 bytes: 43 digits and one `=`. */
const COMMITMENT_BASE64_LENGTH = 44;

/**
 * Writes `commitment` (32 bytes) in base64 into out at `at`, as Buffer's toString('base64') would,
 * without a string made and written again; answers where it ends.
 */
function putBase64(out: Buffer, at: number, commitment: Uint8Array): number {
  let i = 0;
  for (; i + 3 <= 30; i += 3) {
    const triple =
      ((commitment[i] as number) << 16) |
      ((commitment[i + 1] as number) << 8) |
      (commitment[i + 2] as number);
    out[at++] = BASE64_DIGITS[triple >> 18] as number;
    out[at++] = BASE64_DIGITS[(triple >> 12) & 63] as number;
    out[at++] = BASE64_DIGITS[(triple >> 6) & 63] as number;
    out[at++] = BASE64_DIGITS[triple & 63] as number;
  }
  // The last two bytes: three digits and the padding.
  const pair = ((commitment[30] as number) << 8) | (commitment[31] as number);
  out[at++] = BASE64_DIGITS[pair >> 10] as number;
  out[at++] = BASE64_DIGITS[(pair >> 4) & 63] as number;
  out[at++] = BASE64_DIGITS[(pair << 2) & 63] as number;
  out[at++] = 0x3d;
  return at;
}

/** Copies part[from, to) into out at `at`; answers where it ends. */
function put(out: Buffer, at: number, part: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) out[at++] = part[i] as number;
  return at;
}
