/**
 * canonicalJson's text of a JSON object read from its bytes (valid UTF-8), written as it stands
 * inside a JSON string (each quote and backslash escaped once more): what a leaf commits to for
 * an event's changes or metadata, without JSON.parse. Only text that parses to a value whose
 * canonical text is these bytes reordered is accepted: strings whose escapes are JSON.stringify's,
 * integers of at most 15 digits, true, false, null, arrays, objects of printable ASCII keys
 * without escapes (sorted here: ASCII bytes sort as UTF-16 units do; __proto__ and a repeated key
 * refused), no white space, nested at most 16 deep. Anything else answers -1 for the general
 * path; test/unit/ndjson-line-leaf.test.ts holds the two equal.
 */
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from './json-byte-codes.js';
import { bytesBefore, integerEnd, literalEnd } from './json-scalar-bytes.js';

/** Deeper JSON takes the general path (no ordinary event's is). */
const MAX_DEPTH = 16;
const PROTO = Buffer.from('__proto__');

/** Where text is written: `out` from `at` on (`at` moves past what is written). */
export interface TextSink {
  out: Uint8Array;
  at: number;
}

/** The sink's bytes and position while an object is written (kept in locals of the module for speed). */
let out: Uint8Array = new Uint8Array(0);
let w = 0;
/** Members of the objects being written, three numbers each: key start, key end, value start. */
const members = new Int32Array(3 * 4096);
let memberTop = 0;

/**
 * After the object at bytes[at] (a `{`), its canonical text written escaped into `sink`, or -1
 * (the sink's bytes then undefined). `end`: where the line ends, nothing read past it.
 */
export function canonicalObjectEnd(bytes: Uint8Array, at: number, end: number, sink: TextSink): number {
  if (bytes[at] !== OPEN_OBJECT) return -1;
  out = sink.out;
  w = sink.at;
  memberTop = 0;
  const after = objectEnd(bytes, at, end, 0);
  sink.at = w;
  return after;
}

/** The escapes JSON.stringify writes: \" \\ \b \f \n \r \t. */
export function isStringifyEscape(byte: number): boolean {
  return (
    byte === QUOTE ||
    byte === BACKSLASH ||
    byte === 0x62 ||
    byte === 0x66 ||
    byte === 0x6e ||
    byte === 0x72 ||
    byte === 0x74
  );
}

/**
 * After the JSON value at `at`, its canonical text written with each quote and backslash
 * escaped (as it stands inside a JSON string), or -1.
 */
function valueEnd(bytes: Uint8Array, at: number, end: number, depth: number): number {
  const byte = bytes[at];
  if (byte === QUOTE) return stringEnd(bytes, at, end);
  if (byte === OPEN_OBJECT) return depth < MAX_DEPTH ? objectEnd(bytes, at, end, depth) : -1;
  if (byte === OPEN_ARRAY) {
    if (depth >= MAX_DEPTH) return -1;
    out[w++] = OPEN_ARRAY;
    at++;
    if (bytes[at] === CLOSE_ARRAY) {
      out[w++] = CLOSE_ARRAY;
      return at + 1;
    }
    for (;;) {
      at = valueEnd(bytes, at, end, depth + 1);
      if (at < 0 || (bytes[at] !== COMMA && bytes[at] !== CLOSE_ARRAY)) return -1;
      out[w++] = bytes[at] as number;
      if (bytes[at++] === CLOSE_ARRAY) return at;
    }
  }
  let scalarEnd: number;
  if (byte === 0x74) scalarEnd = literalEnd(bytes, at, 'true');
  else if (byte === 0x66) scalarEnd = literalEnd(bytes, at, 'false');
  else if (byte === 0x6e) scalarEnd = literalEnd(bytes, at, 'null');
  else scalarEnd = integerEnd(bytes, at, end);
  for (let i = at; i < scalarEnd; i++) out[w++] = bytes[i] as number;
  return scalarEnd;
}

/** After a string at `at` whose escapes are JSON.stringify's, written escaped once more, or -1. */
function stringEnd(bytes: Uint8Array, at: number, end: number): number {
  out[w++] = BACKSLASH;
  out[w++] = QUOTE;
  for (let i = at + 1; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      out[w++] = BACKSLASH;
      out[w++] = QUOTE;
      return i + 1;
    }
    if (byte < 0x20) return -1;
    if (byte === BACKSLASH) {
      const escaped = bytes[++i] as number;
      if (!isStringifyEscape(escaped)) return -1;
      out[w++] = BACKSLASH;
      out[w++] = BACKSLASH;
      if (escaped === QUOTE || escaped === BACKSLASH) out[w++] = BACKSLASH;
      out[w++] = escaped;
    } else out[w++] = byte;
  }
  return -1;
}

/** After a key at `at`: a string of printable ASCII without escapes, other than __proto__; or -1. */
function keyEnd(bytes: Uint8Array, at: number, end: number): number {
  if (bytes[at] !== QUOTE) return -1;
  for (let i = at + 1; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) return i - at - 1 === PROTO.length && isProto(bytes, at + 1) ? -1 : i + 1;
    if (byte < 0x20 || byte > 0x7e || byte === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * After the object at `at`, written with its members in key order (RFC 8785: ASCII keys sort as
 * UTF-16 units do), or -1 (also for a repeated key).
 */
function objectEnd(bytes: Uint8Array, at: number, end: number, depth: number): number {
  const outStart = w;
  out[w++] = OPEN_OBJECT;
  at++;
  if (bytes[at] === CLOSE_OBJECT) {
    out[w++] = CLOSE_OBJECT;
    return at + 1;
  }
  const first = memberTop;
  let sorted = true;
  for (;;) {
    const keyAfter = keyEnd(bytes, at, end);
    if (keyAfter < 0 || bytes[keyAfter] !== COLON || memberTop + 3 > members.length) return -1;
    if (memberTop > first) {
      const previous = memberTop - 3;
      const before = bytesBefore(
        bytes,
        members[previous] as number,
        members[previous + 1] as number,
        at + 1,
        keyAfter - 1,
      );
      sorted &&= before;
    }
    members[memberTop++] = at + 1;
    members[memberTop++] = keyAfter - 1;
    members[memberTop++] = keyAfter + 1;
    writeKey(bytes, at + 1, keyAfter - 1);
    at = valueEnd(bytes, keyAfter + 1, end, depth + 1);
    if (at < 0 || (bytes[at] !== COMMA && bytes[at] !== CLOSE_OBJECT)) return -1;
    out[w++] = bytes[at] as number;
    if (bytes[at++] === CLOSE_OBJECT) break;
  }
  if (!sorted && !writeSorted(bytes, end, depth, outStart, first)) return -1;
  memberTop = first;
  return at;
}

/** Writes the object's members from `first` on again, at outStart, in key order; false for a repeated key. */
function writeSorted(
  bytes: Uint8Array,
  end: number,
  depth: number,
  outStart: number,
  first: number,
): boolean {
  const top = memberTop;
  // Insertion sort of the members' triples: objects are small.
  for (let i = first + 3; i < top; i += 3) {
    const keyStart = members[i] as number;
    const keyStop = members[i + 1] as number;
    const value = members[i + 2] as number;
    let j = i - 3;
    while (
      j >= first &&
      bytesBefore(bytes, keyStart, keyStop, members[j] as number, members[j + 1] as number)
    ) {
      members.copyWithin(j + 3, j, j + 3);
      j -= 3;
    }
    members[j + 3] = keyStart;
    members[j + 4] = keyStop;
    members[j + 5] = value;
  }
  w = outStart;
  out[w++] = OPEN_OBJECT;
  for (let i = first; i < top; i += 3) {
    const keyStart = members[i] as number;
    const keyStop = members[i + 1] as number;
    if (i > first) {
      if (!bytesBefore(bytes, members[i - 3] as number, members[i - 2] as number, keyStart, keyStop))
        return false;
      out[w++] = COMMA;
    }
    writeKey(bytes, keyStart, keyStop);
    if (valueEnd(bytes, members[i + 2] as number, end, depth + 1) < 0) return false;
  }
  out[w++] = CLOSE_OBJECT;
  return true;
}

/** Writes a key (bytes[from, to), no escapes in it) and its colon, its quotes escaped. */
function writeKey(bytes: Uint8Array, from: number, to: number): void {
  out[w++] = BACKSLASH;
  out[w++] = QUOTE;
  for (let i = from; i < to; i++) out[w++] = bytes[i] as number;
  out[w++] = BACKSLASH;
  out[w++] = QUOTE;
  out[w++] = COLON;
}

function isProto(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < PROTO.length; i++) if (bytes[at + i] !== PROTO[i]) return false;
  return true;
}
