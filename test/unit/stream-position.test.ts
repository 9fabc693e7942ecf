import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPositionCodec, type PositionCodec } from '../../src/server/stream-position.js';
import { openDatabase } from '../../src/store/database.js';
import { sqliteEngineOf } from '../../src/store/sqlite-engine.js';

describe('opaque stream positions', () => {
  const db = openDatabase(':memory:');
  let positions: PositionCodec;
  beforeAll(async () => {
    positions = await createPositionCodec(sqliteEngineOf(db).stores);
  });
  afterAll(() => db.close());

  it('round-trip in their organization and stand for nothing in any other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (org, otherOrg, seq) => {
          const text = positions.encode(org, seq);
          expect(text).toMatch(/^[\w-]{22}$/);
          expect(positions.decode(org, text)).toBe(seq);
          if (otherOrg !== org) expect(positions.decode(otherOrg, text)).toBeUndefined();
        },
      ),
    );
  });

  it('tell nothing of their order: consecutive positions share no visible pattern', () => {
    const texts = [1, 2, 3, 4].map((seq) => positions.encode(1, seq));
    expect(new Set(texts.map((text) => text.slice(0, 4))).size).toBe(4);
  });

  it('refuse any other text without throwing, and a number past what an older server issued', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const seq = positions.decode(1, text);
        expect(seq === undefined || Number.isSafeInteger(seq)).toBe(true);
      }),
    );
    // An empty database: an older server had issued no position past 0.
    expect(positions.decode(1, '0')).toBe(0);
    expect(positions.decode(1, '1')).toBeUndefined();
  });
});
