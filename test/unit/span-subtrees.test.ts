import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rootFromRange } from '../../src/domain/merkle/range-proof.js';
import { BY_ROW, LeafSpan } from '../../src/export/proof/leaf-span.js';
import { SpanSubtrees } from '../../src/export/proof/span-subtrees.js';

// `audit verify FILE` hashes the span's subtrees as its rows come (span-subtrees.ts) and hands
// them to rootFromRange after the last: the root must be the one hashed from the leaves alone,
// whatever order the leaves came in and whenever the check looked.

/** Any subtree outside the run a proof might hold: a hash derived from its name. */
const outside = (level: number, index: number) => createHash('sha256').update(`${level}/${index}`).digest();

function roots(lo: number, hi: number, size: number, order: number[], looks: Set<number>) {
  const span = new LeafSpan(lo, hi);
  const subtrees = new SpanSubtrees(span);
  const leaves = randomBytes(32 * (hi - lo + 1));
  order.forEach((position, step) => {
    span.set(position, leaves.subarray(32 * (position - lo), 32 * (position - lo + 1)), BY_ROW);
    if (looks.has(step)) subtrees.advance();
  });
  subtrees.advance();
  const leafAt = (position: number) => span.at(position);
  return {
    alone: rootFromRange(lo, hi + 1, size, leafAt, outside),
    withKept: rootFromRange(lo, hi + 1, size, leafAt, outside, (level, index) =>
      subtrees.known(level, index),
    ),
    kept: [8, 9, 10].some((level) => subtrees.known(level, Math.ceil(lo / 2 ** level)) !== undefined),
  };
}

describe('the subtrees of a span hashed as its leaves come', () => {
  it('tampering: any span, any order of leaves, any moments of looking give the root of the leaves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer(),
        fc.uniqueArray(fc.nat(1500), { maxLength: 40 }),
        (lo, length, beyond, seed, looks) => {
          const hi = lo + length;
          const order = Array.from({ length: length + 1 }, (_, i) => lo + i);
          // Mostly in order (as an export's rows come), some swapped (a reordered file).
          let state = seed;
          for (let i = 0; i < order.length; i++) {
            state = (state * 1103515245 + 12345) & 0x7fffffff;
            if (state % 7 === 0) {
              const j = state % order.length;
              [order[i], order[j]] = [order[j] as number, order[i] as number];
            }
          }
          const { alone, withKept } = roots(lo, hi, hi + 1 + beyond, order, new Set(looks));
          expect(withKept.equals(alone)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the large subtrees of a span filled in order, so the root reuses them', () => {
    const order = Array.from({ length: 3000 }, (_, i) => 5 + i);
    const { alone, withKept, kept } = roots(5, 3004, 4000, order, new Set([100, 1000]));
    expect(kept).toBe(true);
    expect(withKept.equals(alone)).toBe(true);
  });
});
