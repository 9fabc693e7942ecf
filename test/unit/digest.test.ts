import { createHash, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HMAC_MESSAGE_AT,
  hmacMessageBlock,
  hmacSha256,
  hmacSha256Base64,
  hmacSha256Binary,
  hmacSha256OfBlockBinary,
  PrefixViews,
  sha256,
  sha256Binary,
} from '../../src/domain/merkle/digest.js';
import { hostileString } from '../reliability/hostile.js';

// Every leaf, commitment and node of the tree goes through these: a digest that differs from
// node:crypto's in one case would make a valid log fail verification, or let a changed one pass.

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  // Lone surrogates, NUL and the bytes UTF-8 writes in three and four.
  fc
    .array(fc.constantFrom('\ud800', '\udfff', '\u0000', '\uffff', '€', '😀', 'a', '"'), { maxLength: 50 })
    .map((parts) => parts.join('')),
);

describe('one-shot SHA-256 and HMAC-SHA-256', () => {
  it('sha256 is createHash of the same text or bytes', () => {
    fc.assert(
      fc.property(hostileText, fc.uint8Array({ maxLength: 200 }), (text, bytes) => {
        expect(sha256(text).equals(createHash('sha256').update(text).digest())).toBe(true);
        expect(sha256(bytes).equals(createHash('sha256').update(bytes).digest())).toBe(true);
        expect(sha256Binary(text)).toBe(createHash('sha256').update(text).digest('binary'));
      }),
      { numRuns: 500 },
    );
  });

  it('tampering: the HMAC is createHmac for every key length and message, alternating (no state leaks between calls)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        hostileText,
        hostileText,
        (key, first, second) => {
          for (const message of [first, second, first]) {
            const expected = createHmac('sha256', key).update(message).digest();
            expect(hmacSha256(key, message).equals(expected)).toBe(true);
            expect(hmacSha256Base64(key, message)).toBe(expected.toString('base64'));
            expect(hmacSha256Binary(key, message)).toBe(expected.toString('binary'));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an HMAC of a message written into the kept block, the key a place in a larger array, is createHmac', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.nat(40),
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 9000 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (key, keyAt, messages) => {
          const keys = Buffer.concat([randomBytes(keyAt), key, randomBytes(3)]);
          for (const message of [...messages, ...messages]) {
            const block = hmacMessageBlock(message.length);
            block.set(message, HMAC_MESSAGE_AT);
            expect(hmacSha256OfBlockBinary(keys, keyAt, key.length, block, message.length)).toBe(
              createHmac('sha256', key).update(message).digest('binary'),
            );
            // Interleaved with the other entry, which shares the block.
            expect(hmacSha256Binary(key, message)).toBe(
              createHmac('sha256', key).update(message).digest('binary'),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    const long = randomBytes((1 << 20) + 7);
    const block = hmacMessageBlock(long.length);
    block.set(long, HMAC_MESSAGE_AT);
    expect(hmacSha256OfBlockBinary(Buffer.from('k'), 0, 1, block, long.length)).toBe(
      createHmac('sha256', 'k').update(long).digest('binary'),
    );
  });

  it('PrefixViews gives the first n bytes of its buffer, the same view again for a length it keeps', () => {
    const buffer = randomBytes(100);
    const views = new PrefixViews(buffer, 50);
    for (const n of [0, 1, 50, 51, 100, 1, 51]) expect(views.of(n).equals(buffer.subarray(0, n))).toBe(true);
    expect(views.of(50)).toBe(views.of(50));
    expect(views.of(51)).not.toBe(views.of(51));
  });

  it('an HMAC of a message given as bytes is createHmac of those bytes, short, long or past the kept block', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 2000 }),
        fc.uint8Array({ maxLength: 20 }),
        (key, first, second) => {
          for (const message of [first, second, first]) {
            expect(hmacSha256Base64(key, message)).toBe(
              createHmac('sha256', key).update(message).digest('base64'),
            );
            expect(hmacSha256Binary(key, message)).toBe(
              createHmac('sha256', key).update(message).digest('binary'),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    const long = randomBytes((1 << 20) + 7);
    expect(hmacSha256Base64(Buffer.from('k'), long)).toBe(
      createHmac('sha256', 'k').update(long).digest('base64'),
    );
    expect(hmacSha256Base64(Buffer.from('k'), 'short')).toBe(
      createHmac('sha256', 'k').update('short').digest('base64'),
    );
  });

  it('gives RFC 4231 test case 2', () => {
    expect(hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it("tampering: equals createHmac's digest for keys of 0-130 bytes (createHmac's own path past a block) and hostile, long or empty text", () => {
    const text = fc.oneof(
      hostileString,
      fc.constantFrom(
        '',
        '\ud800'.repeat(5000),
        'é'.repeat(4097),
        '\u{1F600}'.repeat(3000),
        'x'.repeat(4096),
      ),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), text, (key, message) => {
        const expected = createHmac('sha256', key).update(message).digest();
        expect(hmacSha256(key, message).equals(expected)).toBe(true);
        expect(hmacSha256Base64(key, message)).toBe(expected.toString('base64'));
      }),
      { numRuns: 1000, seed: 4231 },
    );
  });

  it('a message longer than the block kept between calls, then a short one, hash as createHmac says', () => {
    const key = randomBytes(32);
    for (const length of [5000, 400_000, 2_000_000, 3]) {
      const message = 'é'.repeat(length);
      expect(hmacSha256(key, message).equals(createHmac('sha256', key).update(message).digest())).toBe(true);
    }
  });
});
