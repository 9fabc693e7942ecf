/**
 * The leaf hash of an NDJSON line of `audit export` read from its bytes (valid UTF-8), without a
 * string or object made: rowLeafHash(eventRow(line).fields, salt) for a line in exactly the
 * exporter's layout (exportRowToEvent's key order, no white space). Its fields' canonical array
 * is written straight into the HMAC's block: a string whose only escapes are those JSON.stringify
 * writes (\" \\ \b \f \n \r \t) and no control byte is, quotes included, its own canonical text;
 * changes and metadata are written as canonicalJson's text (members sorted, integers of at most
 * 15 digits) inside a JSON string. Any other line (a \u escape, a float, white space, a repeated
 * key, another layout…) answers false and is parsed; test/unit/ndjson-line-leaf.test.ts holds
 * the two equal over hostile lines.
 */
import { HMAC_MESSAGE_AT, hmacMessageBlock, hmacSha256OfBlockBinary } from '../../domain/merkle/digest.js';
import { leafHashOfRowBytes } from '../../domain/merkle/leaf-hash-bytes.js';
import { canonicalObjectEnd, isStringifyEscape, type TextSink } from '../../format/canonical-json-bytes.js';
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  OPEN_ARRAY,
  QUOTE,
} from '../../format/json-byte-codes.js';
import { literalEnd } from '../../format/json-scalar-bytes.js';

/** Where the answered line's id, timestamp and category lie, each [start, end) with its quotes. */
export const HEADER = new Int32Array(6);

const key = (text: string) => Buffer.from(text);
const ID = key('{"id":');
const TIMESTAMP = key(',"timestamp":');
const CATEGORY = key(',"category":');
const ACTION = key(',"action":');
const DESCRIPTION = key(',"description":');
const ACTOR = [key(',"actor":{"id":'), key(',"name":'), key(',"email":'), key(',"type":')];
const TARGET = [key(',"target":{"type":'), key(',"id":'), key(',"name":')];
const CONTEXT = [
  key(',"context":{"ip_address":'),
  key(',"user_agent":'),
  key(',"team_id":'),
  key(',"team_name":'),
];
const ACTOR_NULL = key(',"actor":null');
const TARGET_NULL = key(',"target":null');
const CONTEXT_NULL = key(',"context":null');
const CHANGES = key(',"changes":');
const METADATA = key(',"metadata":');

const commitment = Buffer.alloc(32);
/** The HMAC block the fields are written into, and where writing is (from HMAC_MESSAGE_AT). */
let out = hmacMessageBlock(0);
let w = 0;
const sink: TextSink = { out, at: 0 };

/**
 * Writes the leaf hash of line bytes[start, end) under the salt salts[saltAt, saltAt + 32) into
 * hashes at `hashAt` and its header's bounds into HEADER; false (nothing written) when the line
 * is not in the plain layout.
 */
export function lineLeafHash(
  bytes: Uint8Array,
  start: number,
  end: number,
  salts: Uint8Array,
  saltAt: number,
  hashes: Uint8Array,
  hashAt: number,
): boolean {
  // Every field's text is at most twice its bytes (each quote and backslash escaped), and a null
  // part's "" fields are fewer bytes than the keys they replace.
  out = hmacMessageBlock(2 * (end - start) + 64);
  w = HMAC_MESSAGE_AT;
  out[w++] = OPEN_ARRAY;
  let at = after(bytes, start, ID);
  HEADER[0] = at;
  at = textField(bytes, at, end, true);
  HEADER[1] = at;
  at = after(bytes, at, TIMESTAMP);
  HEADER[2] = at;
  at = textField(bytes, at, end, true);
  HEADER[3] = at;
  at = after(bytes, at, CATEGORY);
  HEADER[4] = at;
  at = textField(bytes, at, end, true);
  HEADER[5] = at;
  at = textField(bytes, after(bytes, at, ACTION), end);
  at = textField(bytes, after(bytes, at, DESCRIPTION), end);
  at = part(bytes, at, end, ACTOR, ACTOR_NULL);
  at = part(bytes, at, end, TARGET, TARGET_NULL);
  at = part(bytes, at, end, CONTEXT, CONTEXT_NULL);
  at = jsonField(bytes, after(bytes, at, CHANGES), end);
  at = jsonField(bytes, after(bytes, at, METADATA), end);
  if (at < 0 || bytes[at] !== CLOSE_OBJECT || at + 1 !== end) return false;
  out[w - 1] = CLOSE_ARRAY; // the last field's comma
  const digest = hmacSha256OfBlockBinary(salts, saltAt, 32, out, w - HMAC_MESSAGE_AT);
  for (let i = 0; i < 32; i++) commitment[i] = digest.charCodeAt(i);
  const leaf = leafHashOfRowBytes(
    bytes,
    HEADER[0],
    HEADER[1],
    HEADER[2],
    HEADER[3],
    HEADER[4],
    HEADER[5],
    commitment,
  );
  for (let i = 0; i < 32; i++) hashes[hashAt + i] = leaf.charCodeAt(i);
  return true;
}

/** After `expected` at `at`, or -1 (also for at = -1). */
function after(bytes: Uint8Array, at: number, expected: Uint8Array): number {
  if (at < 0) return -1;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return -1;
  return at + expected.length;
}

/**
 * After a string or null at `at`, its field written (null as ""), or -1; `header`: an id, time or
 * category, which must be a string of printable ASCII without escapes (the main thread's header).
 */
function textField(bytes: Uint8Array, at: number, end: number, header = false): number {
  if (at < 0) return -1;
  // Locals, not the module's: the loop runs for every byte of a million rows.
  const o = out;
  let p = w;
  if (bytes[at] === 0x6e && !header) {
    o[p++] = QUOTE;
    o[p++] = QUOTE;
    o[p++] = COMMA;
    w = p;
    return literalEnd(bytes, at, 'null');
  }
  if (bytes[at] !== QUOTE) return -1;
  o[p++] = QUOTE;
  for (let i = at + 1; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      o[p++] = QUOTE;
      o[p++] = COMMA;
      w = p;
      return i + 1;
    }
    if (byte < 0x20 || (header && (byte > 0x7e || byte === BACKSLASH))) return -1;
    o[p++] = byte;
    if (byte === BACKSLASH) {
      const escaped = bytes[++i] as number;
      if (!isStringifyEscape(escaped)) return -1;
      o[p++] = escaped;
    }
  }
  return -1;
}

/** After the actor, target or context at `at` (keys as `prefixes` list them) or its null, its fields written, or -1. */
function part(bytes: Uint8Array, at: number, end: number, prefixes: Buffer[], nothing: Buffer): number {
  const none = after(bytes, at, nothing);
  if (none >= 0) {
    for (let i = 0; i < prefixes.length; i++) {
      out[w++] = QUOTE;
      out[w++] = QUOTE;
      out[w++] = COMMA;
    }
    return none;
  }
  for (const prefix of prefixes) at = textField(bytes, after(bytes, at, prefix), end);
  return at >= 0 && bytes[at] === CLOSE_OBJECT ? at + 1 : -1;
}

/** After changes or metadata (an object or null) at `at`, written as its canonical JSON in a string, or -1. */
function jsonField(bytes: Uint8Array, at: number, end: number): number {
  if (at < 0) return -1;
  if (bytes[at] === 0x6e) {
    out[w++] = QUOTE;
    out[w++] = QUOTE;
    out[w++] = COMMA;
    return literalEnd(bytes, at, 'null');
  }
  out[w++] = QUOTE;
  sink.out = out;
  sink.at = w;
  at = canonicalObjectEnd(bytes, at, end, sink);
  w = sink.at;
  out[w++] = QUOTE;
  out[w++] = COMMA;
  return at;
}
