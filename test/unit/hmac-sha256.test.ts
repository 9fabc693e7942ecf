import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DigestEncoding, hmacSha256 } from '../../src/domain/merkle/hmac.js';
import { hostileString } from '../reliability/hostile.js';

const ENCODINGS: DigestEncoding[] = ['base64', 'binary', 'hex'];

const reference = (key: Uint8Array, text: string, encoding: DigestEncoding) =>
  createHmac('sha256', key).update(text).digest(encoding);

describe('HMAC-SHA-256 in one-shot hashes (every leaf commitment)', () => {
  it('gives RFC 4231 test case 2', () => {
    expect(hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?', 'hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it("equals createHmac's digest for any key length and any text: lone surrogates, long, empty", () => {
    const text = fc.oneof(
      hostileString,
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom(
        '',
        '\ud800'.repeat(5000),
        'é'.repeat(4097),
        '\u{1F600}'.repeat(3000),
        'x'.repeat(4096),
      ),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 130 }),
        text,
        fc.constantFrom(...ENCODINGS),
        (key, message, encoding) => {
          expect(hmacSha256(key, message, encoding)).toBe(reference(key, message, encoding));
        },
      ),
      { numRuns: 2000, seed: 4231 },
    );
  });

  it('gives each call its own answer though the scratch buffers are shared (a long text after a short one, keys of 64 and 65 bytes)', () => {
    const keys = [Buffer.alloc(0), Buffer.alloc(32, 7), Buffer.alloc(64, 1), Buffer.alloc(65, 2)];
    const texts = ['a'.repeat(10_000), 'b', '', 'c'.repeat(4096)];
    for (const key of keys)
      for (const text of texts) expect(hmacSha256(key, text, 'hex')).toBe(reference(key, text, 'hex'));
  });
});
