import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';

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

  it('refuses what has no JSON text to hash: NaN, Infinity, half a surrogate pair', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => canonicalJson({ description: 'x\ud800' })).toThrow(/surrogate/);
  });
});
