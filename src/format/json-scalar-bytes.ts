/**
 * Byte-level readers of JSON scalars for the fast paths that read rows without JSON.parse
 * (src/verify/leaf-row-bytes.ts, src/export/proof/ndjson-line-leaf.ts): each accepts only text
 * that JSON.stringify of the parsed value writes back byte for byte, and answers where it ends.
 */

/** Digits of an integer that every double holds exactly and JSON.stringify writes back as is. */
const MAX_DIGITS = 15;

/** After an integer as JSON.stringify writes it (no -0, no leading zero, at most 15 digits), or -1. */
export function integerEnd(bytes: Uint8Array, start: number, end: number): number {
  let at = bytes[start] === 0x2d ? start + 1 : start;
  const first = at;
  if (bytes[at] === 0x30) return at === start && !isDigit(bytes[at + 1]) ? at + 1 : -1;
  while (at < end && isDigit(bytes[at])) at++;
  return at > first && at - first <= MAX_DIGITS ? at : -1;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** After `literal` (true, false, null) at `start`, or -1. */
export function literalEnd(bytes: Uint8Array, start: number, literal: string): number {
  for (let i = 0; i < literal.length; i++) if (bytes[start + i] !== literal.charCodeAt(i)) return -1;
  return start + literal.length;
}

/** bytes[aStart, aEnd) sorts strictly before bytes[bStart, bEnd). */
export function bytesBefore(
  bytes: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const a = bytes[aStart + i] as number;
    const b = bytes[bStart + i] as number;
    if (a !== b) return a < b;
  }
  return aEnd - aStart < bEnd - bStart;
}
