import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalStringArray } from '../../src/domain/canonical-json.js';

const VECTORS = join(import.meta.dirname, '../fixtures/jcs-vectors');

describe('RFC 8785 JSON canonicalization', () => {
  const names = readdirSync(join(VECTORS, 'input')).sort();
  it.each(names)("gives the published canonical bytes for the RFC author's %s", (name) => {
    const input = JSON.parse(readFileSync(join(VECTORS, 'input', name), 'utf8'));
    const output = readFileSync(join(VECTORS, 'output', name));
    expect(Buffer.from(canonicalJson(input), 'utf8').equals(output)).toBe(true);
  });

  it('one value, one text: key order and spacing of the input do not matter, and it parses back equal', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value, null, 2)))).toBe(text);
        const reversed = JSON.parse(text, (_key, member) =>
          member && typeof member === 'object' && !Array.isArray(member)
            ? Object.fromEntries(Object.entries(member).reverse())
            : member,
        );
        expect(canonicalJson(reversed)).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300, seed: 8785 },
    );
  });

  it('an array of strings (a leaf commitment) is written as element by element, escapes and all', () => {
    const elementwise = (strings: string[]) => `[${strings.map((text) => canonicalJson(text)).join(',')}]`;
    const hostile = [
      '',
      '"',
      '\\',
      '\u2028\u2029',
      '\u0000\u001f\u007f',
      '</script>',
      '\ud83d\ude02',
      'A\u030a',
      '\\ud800',
    ];
    expect(canonicalJson(hostile)).toBe(elementwise(hostile));
    for (const name of names) {
      const strings = collectStrings(JSON.parse(readFileSync(join(VECTORS, 'input', name), 'utf8')));
      expect(canonicalJson(strings)).toBe(elementwise(strings));
    }
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-composite' })), fc.array(fc.string()), (a, b) => {
        expect(canonicalJson(a)).toBe(elementwise(a));
        expect(canonicalJson(b)).toBe(elementwise(b));
      }),
      { numRuns: 300, seed: 8785 },
    );
    expect(canonicalJson(['fine', 'x\udc00'])).toBe('["fine","x\\udc00"]');
  });

  it('refuses what has no JSON text to hash: NaN, Infinity', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });

  it('writes half a surrogate pair as its escape, never as the escaped text a sender could send instead', () => {
    expect(canonicalJson({ description: 'x\ud800' })).toBe('{"description":"x\\ud800"}');
    // The six characters \ud800 as text: the backslash is escaped, so the bytes differ.
    expect(canonicalJson({ description: 'x\\ud800' })).toBe('{"description":"x\\\\ud800"}');
    expect(canonicalJson(['\udc00\ud800'])).not.toBe(canonicalJson(['\\udc00\\ud800']));
  });
});

/** Every string in a JSON value, keys included. */
function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, member]) => [key, ...collectStrings(member)]);
  return [];
}

describe('the canonical text of an array of strings (a commitment over 18 fields)', () => {
  /** RFC 8785 for strings, written out element by element (a lone surrogate as its escape). */
  const reference = (values: readonly string[]) =>
    `[${values.map((value) => JSON.stringify(value)).join(',')}]`;
  const fast = (values: readonly string[]) => canonicalStringArray(values);

  it('is the element-by-element text for any strings, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (values) => {
        expect(fast(values)).toBe(reference(values));
      }),
      { numRuns: 2000 },
    );
    for (const awkward of [['x\ud800'], ['\\ud800 written out'], ['\udc00'], ['\u2028\u0000"\\']])
      expect(fast(awkward)).toBe(reference(awkward));
  });
});
