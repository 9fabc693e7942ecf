/**
 * Where a JSON value ends in UTF-8 bytes, found without decoding them: structural characters
 * are ASCII and never part of a multi-byte sequence, so strings are skipped byte by byte
 * (a backslash escapes the next byte) and brackets counted outside them. For splitting a long
 * line into pieces that are decoded and parsed apart (export-chunk.ts): a string over 64 KiB
 * decodes many times slower than many small ones.
 */

import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from '../format/json-byte-codes.js';

/**
 * The index just after the array or object that opens at `start` (`bytes[start]` is `[` or
 * `{`), or -1 when it does not close before `end`. Only brackets are matched: whether the
 * bytes between are valid JSON is for JSON.parse to say.
 */
export function endOfContainer(bytes: Uint8Array, start: number, end: number): number {
  let depth = 0;
  for (let index = start; index < end; index++) {
    const byte = bytes[index] as number;
    if (byte === QUOTE) {
      index = endOfString(bytes, index, end) - 1;
      if (index < 0) return -1;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) depth++;
    else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/** The index just after the string whose opening quote is at `start`, or -1 when it does not close before `end`. */
export function endOfString(bytes: Uint8Array, start: number, end: number): number {
  for (let index = start + 1; index < end; index++) {
    const byte = bytes[index];
    if (byte === BACKSLASH) index++;
    else if (byte === QUOTE) return index + 1;
  }
  return -1;
}

/** `bytes` from `start` begin with `prefix`. */
export function startsWithBytes(bytes: Uint8Array, prefix: Uint8Array, start = 0): boolean {
  if (start + prefix.length > bytes.length) return false;
  for (let index = 0; index < prefix.length; index++)
    if (bytes[start + index] !== prefix[index]) return false;
  return true;
}
