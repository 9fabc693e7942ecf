/**
 * One entry line of a written proof in the form formatExportProof writes it —
 * `[position,"salt","event id","leaf hint"]` with an id of printable ASCII and no escape — read
 * straight from the file's bytes into the proof's arrays. A check reads a million of them, and
 * JSON.parse of each line plus the checks of its shape took ~4 µs an entry, the most of any step
 * before the first row could be hashed. A line in any other form (an erased entry, an escaped or
 * non-ASCII id, white space, a position past the tree) is not read here: the caller reads it with
 * JSON.parse and the general checks, which also say what is wrong with it.
 * test/unit/proof-entry-line.test.ts holds the two equal.
 */

export interface EntryArrays {
  positions: Float64Array;
  /** Salt i at [32 i, 32 i + 32). */
  salts: Uint8Array;
  ids: string[];
  /** Hint i at [12 i, 12 i + 12). */
  hints: Uint8Array;
}

const SALT_CHARS = 43;
const HINT_CHARS = 16;
const MAX_POSITION_DIGITS = 15;

/** The value of each byte of the base64 alphabet (RFC 4648 §4), -1 for every other byte. */
const BASE64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((char, value) => {
  BASE64[char.charCodeAt(0)] = value;
});

/**
 * Reads the entry on bytes [start, end) as entry `i` into `into`; false, with nothing of the
 * entry's position or id written, when the line is not in the plain form or its position is not
 * within a tree of `treeSize`.
 */
export function readPlainEntryLine(
  bytes: Buffer,
  start: number,
  end: number,
  i: number,
  treeSize: number,
  into: EntryArrays,
): boolean {
  const position = positionAt(bytes, start, end, treeSize);
  if (position < 0) return false;
  let at = start + 1 + digitCount(position);
  if (!separator(bytes, at)) return false;
  at += 2;
  // The salt: 43 characters and "=", as SALT_BASE64 says.
  if (at + SALT_CHARS + 2 > end || bytes[at + SALT_CHARS] !== 0x3d) return false;
  if (!decodeBase64(bytes, at, SALT_CHARS, into.salts, 32 * i)) return false;
  at += SALT_CHARS + 1;
  if (bytes[at] !== 0x22 || !separator(bytes, at + 1)) return false;
  at += 3;
  const idStart = at;
  for (let byte = bytes[at] as number; byte !== 0x22 && at < end; byte = bytes[++at] as number)
    if (byte < 0x20 || byte > 0x7e || byte === 0x5c) return false;
  const idEnd = at;
  if (bytes[at] !== 0x22 || !separator(bytes, at + 1)) return false;
  at += 3;
  // The hint: 16 characters, as HINT_BASE64 says, then the end of the list.
  if (at + HINT_CHARS + 2 !== end || bytes[at + HINT_CHARS] !== 0x22 || bytes[at + HINT_CHARS + 1] !== 0x5d)
    return false;
  if (!decodeBase64(bytes, at, HINT_CHARS, into.hints, 12 * i)) return false;
  into.positions[i] = position;
  into.ids[i] = asciiText(bytes, idStart, idEnd);
  return true;
}

/**
 * Reads the position alone of the entry starting at `start` (before `end`) into `positions[i]`,
 * as readPlainEntryLine reads it: false when it is not plain digits followed by a comma, or not
 * within a tree of `treeSize`.
 */
export function readPlainPosition(
  bytes: Buffer,
  start: number,
  end: number,
  i: number,
  treeSize: number,
  positions: Float64Array,
): boolean {
  const position = positionAt(bytes, start, end, treeSize);
  // A comma after the digits: whatever follows, the entry's first value is this number or no entry at all.
  if (position < 0 || bytes[start + 1 + digitCount(position)] !== 0x2c) return false;
  positions[i] = position;
  return true;
}

/** The position of `[digits` at `start`, or -1 when it is not plain digits within a tree of `treeSize`. */
function positionAt(bytes: Buffer, start: number, end: number, treeSize: number): number {
  let at = start;
  if (bytes[at++] !== 0x5b) return -1; // [
  const digits = at;
  let position = 0;
  for (let byte = bytes[at] as number; byte >= 0x30 && byte <= 0x39 && at < end; byte = bytes[++at] as number)
    position = position * 10 + (byte - 0x30);
  const length = at - digits;
  // JSON writes no leading zero; 15 digits always fit a safe integer.
  if (length === 0 || length > MAX_POSITION_DIGITS || (length > 1 && bytes[digits] === 0x30)) return -1;
  return position >= treeSize ? -1 : position;
}

/** The digits of a position written without leading zeros. */
function digitCount(position: number): number {
  let count = 1;
  for (let rest = position; rest >= 10; rest = Math.floor(rest / 10)) count++;
  return count;
}

/** `,"` at `at`. */
function separator(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x2c && bytes[at + 1] === 0x22;
}

/**
 * Decodes `chars` base64 characters at `at` into `out` from `offset` as Buffer#write(…, 'base64')
 * does: the bits of a last, partial group that make no whole byte are dropped. False when a
 * character is not of the alphabet.
 */
function decodeBase64(
  bytes: Uint8Array,
  at: number,
  chars: number,
  out: Uint8Array,
  offset: number,
): boolean {
  let bits = 0;
  let held = 0;
  let o = offset;
  for (let c = at; c < at + chars; c++) {
    const value = BASE64[bytes[c] as number] as number;
    if (value < 0) return false;
    bits = ((bits << 6) | value) & 0xffffff;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out[o++] = (bits >> held) & 0xff;
    }
  }
  return true;
}

function asciiText(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, end);
}
