/**
 * leafOutcome (leaf-outcome.ts) of a row read straight from the answer's bytes (valid UTF-8), for
 * the shape the leaves route writes: no JSON.parse of the row, and the event's fields hashed as
 * the bytes they came in. That is sound because a string without a backslash or control byte is
 * written by canonical JSON exactly as it is listed, and `changes` and `metadata` are accepted
 * here only as text already canonical (sorted keys, no white space, safe integers, printable
 * ASCII strings), so the listed array of fields is, byte for byte, what its commitment covers.
 * Any other row (an escape, a float, unsorted keys, an erasure or purge record…) answers
 * undefined and takes leafOutcome; test/unit/leaf-row-bytes.test.ts holds the two equal.
 */
import { hmacSha256Binary } from '../domain/merkle/digest.js';
import { leafHashOfRowBytes } from '../domain/merkle/leaf-hash-bytes.js';
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from '../format/json-byte-codes.js';
import { bytesBefore, integerEnd, literalEnd } from '../format/json-scalar-bytes.js';
import { ERASURE_ACTION, type LeafOutcome, PURGE_ACTION } from './leaf-outcome.js';

const FIELDS = 18;
/** changes and metadata, the fields that are JSON text. */
const FIRST_JSON_FIELD = 16;
/** Deeper JSON text takes the general path (it is never an ordinary event's). */
const MAX_DEPTH = 16;

const ERASURE = Buffer.from(JSON.stringify(ERASURE_ACTION));
const PURGE = Buffer.from(JSON.stringify(PURGE_ACTION));
const NULL = Buffer.from('null');
const salt = Buffer.alloc(32);
const commitment = Buffer.alloc(32);

/** The outcome of row bytes[start, end) at `position`, or undefined for leafOutcome to give. */
export function leafOutcomeOfBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  position: number,
): LeafOutcome | undefined {
  if (bytes[start] !== OPEN_ARRAY) return undefined;
  let at = integerEnd(bytes, start + 1, end);
  if (at < 0 || bytes[at] !== COMMA || integerValue(bytes, start + 1, at) !== position) return undefined;
  const hashEnd = plainStringEnd(bytes, at + 1, end);
  const idStart = hashEnd + 1;
  const idEnd = bytes[hashEnd] === COMMA ? plainStringEnd(bytes, idStart, end) : -1;
  const timeStart = idEnd + 1;
  const timeEnd = idEnd > 0 && bytes[idEnd] === COMMA ? plainStringEnd(bytes, timeStart, end) : -1;
  const categoryStart = timeEnd + 1;
  const categoryEnd =
    timeEnd > 0 && bytes[timeEnd] === COMMA ? plainStringEnd(bytes, categoryStart, end) : -1;
  if (categoryEnd < 0 || bytes[categoryEnd] !== COMMA || !readHex(bytes, categoryEnd + 1, commitment))
    return undefined;
  at = categoryEnd + 67;
  if (bytes[at] !== COMMA) return undefined;
  const salted = readHex(bytes, at + 1, salt);
  if (!salted && !startsWith(bytes, at + 1, NULL)) return undefined;
  at += salted ? 67 : 5;
  if (bytes[at] !== COMMA) return undefined;
  const fieldsStart = at + 1;
  const purged = startsWith(bytes, fieldsStart, NULL);
  const fields = purged ? undefined : BOUNDS;
  if (!purged && !fieldBounds(bytes, fieldsStart, end)) return undefined;
  // Just after the fields: the row's own closing bracket, its last byte.
  const fieldsEnd = fields === undefined ? fieldsStart + 4 : (fields[FIELDS] as number) + 1;
  if (bytes[fieldsEnd] !== CLOSE_ARRAY || fieldsEnd + 1 !== end) return undefined;
  // An erasure or purge record is rare and is read for what it says: the general path.
  if (fields !== undefined && (sameAs(bytes, fields, 3, ERASURE) || sameAs(bytes, fields, 3, PURGE)))
    return undefined;

  const id = text(bytes, idStart, idEnd);
  const timestamp = text(bytes, timeStart, timeEnd);
  const leafHash = leafHashOfRowBytes(
    bytes,
    idStart,
    idEnd,
    timeStart,
    timeEnd,
    categoryStart,
    categoryEnd,
    commitment,
  );
  if (fields === undefined) return { leafHash, id, timestamp, state: 'purged' };
  if (
    !sameBytes(bytes, idStart, idEnd, fields[0] as number, (fields[1] as number) - 1) ||
    !sameBytes(bytes, timeStart, timeEnd, fields[1] as number, (fields[2] as number) - 1) ||
    !sameBytes(bytes, categoryStart, categoryEnd, fields[2] as number, (fields[3] as number) - 1)
  )
    return {
      leafHash,
      id,
      timestamp,
      state: 'moved',
      heldId: text(bytes, fields[0] as number, (fields[1] as number) - 1),
    };
  if (!salted) return { leafHash, id, timestamp, state: 'erased' };
  const digest = hmacSha256Binary(salt, bytes.subarray(fieldsStart, fieldsEnd));
  return { leafHash, id, timestamp, state: sameAsBinary(commitment, digest) ? 'checked' : 'changed' };
}

/** The string (quotes dropped) of bytes[from, to), a quoted plain string. */
function text(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.prototype.utf8Slice.call(bytes, from + 1, to - 1) as string;
}

/** fieldBounds' answer, one array for every row (rows are read one at a time): none made a row. */
const BOUNDS = new Array<number>(FIELDS + 1).fill(0);

/**
 * Sets BOUNDS to where each of the 18 fields of `[…]` at `start` begins (its opening quote), then
 * the index of the closing bracket; false when the array is not 18 plain strings, the last two
 * canonical JSON text.
 */
function fieldBounds(bytes: Uint8Array, start: number, end: number): boolean {
  if (bytes[start] !== OPEN_ARRAY) return false;
  let at = start + 1;
  for (let field = 0; field < FIELDS; field++) {
    if (field > 0) {
      if (bytes[at] !== COMMA) return false;
      at++;
    }
    BOUNDS[field] = at;
    at = field < FIRST_JSON_FIELD ? plainStringEnd(bytes, at, end) : canonicalTextEnd(bytes, at, end);
    if (at < 0) return false;
  }
  if (bytes[at] !== CLOSE_ARRAY) return false;
  BOUNDS[FIELDS] = at;
  return true;
}

/** After a string of no backslash and no control byte opening at `start`, or -1. */
function plainStringEnd(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] !== QUOTE) return -1;
  for (let at = start + 1; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) return at + 1;
    if (byte === BACKSLASH || byte < 0x20) return -1;
  }
  return -1;
}

/**
 * After a JSON string at `start` whose text is "" or an object or array already canonical (as
 * canonicalJson writes it back), or -1. Inside it each quote of the text is the escape \".
 */
function canonicalTextEnd(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] !== QUOTE) return -1;
  if (bytes[start + 1] === QUOTE) return start + 2;
  const first = bytes[start + 1];
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) return -1;
  const after = valueEnd(bytes, start + 1, end, 0);
  return after > 0 && bytes[after] === QUOTE ? after + 1 : -1;
}

/** After the canonical JSON value at `start` (inside a string: quotes as \"), or -1. */
function valueEnd(bytes: Uint8Array, start: number, end: number, depth: number): number {
  const byte = bytes[start];
  if (byte === BACKSLASH) return innerStringEnd(bytes, start, end);
  if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
    if (depth >= MAX_DEPTH) return -1;
    const object = byte === OPEN_OBJECT;
    const close = object ? CLOSE_OBJECT : CLOSE_ARRAY;
    let at = start + 1;
    if (bytes[at] === close) return at + 1;
    let keyStart = -1;
    let keyEnd = -1;
    for (;;) {
      if (object) {
        const nextKeyEnd = innerStringEnd(bytes, at, end);
        // Keys strictly increasing: sorted (ASCII bytes sort as UTF-16 units do), none repeated.
        if (nextKeyEnd < 0) return -1;
        // Compared without their \" quotes: a key sorts before every longer key it begins.
        if (keyStart >= 0 && !bytesBefore(bytes, keyStart + 2, keyEnd - 2, at + 2, nextKeyEnd - 2)) return -1;
        keyStart = at;
        keyEnd = nextKeyEnd;
        if (bytes[nextKeyEnd] !== COLON) return -1;
        at = nextKeyEnd + 1;
      }
      at = valueEnd(bytes, at, end, depth + 1);
      if (at < 0) return -1;
      if (bytes[at] === close) return at + 1;
      if (bytes[at] !== COMMA) return -1;
      at++;
    }
  }
  if (byte === 0x74) return literalEnd(bytes, start, 'true');
  if (byte === 0x66) return literalEnd(bytes, start, 'false');
  if (byte === 0x6e) return literalEnd(bytes, start, 'null');
  return integerEnd(bytes, start, end);
}

/** After a string of the text (\" … \") of printable ASCII other than backslash, or -1. */
function innerStringEnd(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] !== BACKSLASH || bytes[start + 1] !== QUOTE) return -1;
  for (let at = start + 2; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === BACKSLASH) return bytes[at + 1] === QUOTE ? at + 2 : -1;
    if (byte < 0x20 || byte > 0x7e || byte === QUOTE) return -1;
  }
  return -1;
}

/** The value of an integer integerEnd accepted at bytes[start, end): as Number() of its text. */
function integerValue(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === 0x2d;
  let value = 0;
  for (let at = negative ? start + 1 : start; at < end; at++)
    value = value * 10 + ((bytes[at] as number) - 0x30);
  return negative ? -value : value;
}

/** Each byte's value as a hex digit (either case), else -1. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE[digit.toString(16).charCodeAt(0)] = digit;
  HEX_VALUE[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

/** 64 hex digits in quotes at `start` decoded into `out` (as Buffer.from(text, 'hex') would), or false. */
function readHex(bytes: Uint8Array, start: number, out: Buffer): boolean {
  if (bytes[start] !== QUOTE || bytes[start + 65] !== QUOTE) return false;
  for (let i = 0; i < 32; i++) {
    const high = HEX_VALUE[bytes[start + 1 + 2 * i] as number] as number;
    const low = HEX_VALUE[bytes[start + 2 + 2 * i] as number] as number;
    if ((high | low) < 0) return false;
    out[i] = (high << 4) | low;
  }
  return true;
}

function startsWith(bytes: Uint8Array, start: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

/** Field `index` (with its quotes) is exactly `value`. */
function sameAs(bytes: Uint8Array, bounds: readonly number[], index: number, value: Uint8Array): boolean {
  const start = bounds[index] as number;
  return (bounds[index + 1] as number) - 1 - start === value.length && startsWith(bytes, start, value);
}

function sameBytes(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (bytes[aStart + i] !== bytes[bStart + i]) return false;
  return true;
}

/** `bytes` are those of `binary`, 'binary' text (one character a byte). */
function sameAsBinary(bytes: Uint8Array, binary: string): boolean {
  if (bytes.length !== binary.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== binary.charCodeAt(i)) return false;
  return true;
}
