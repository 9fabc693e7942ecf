import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT } from '../../src/domain/merkle/hashes.js';
import {
  formatPositionRanges,
  inPositionRanges,
  parsePositionRanges,
} from '../../src/domain/merkle/position-ranges.js';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { rangeProofNodes, rootFromRange } from '../../src/domain/merkle/range-proof.js';
import { createRootBuilder } from '../../src/domain/merkle/root-builder.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';

const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());

describe('a root from a run of leaves and the subtrees around it', () => {
  it('is the root of the whole tree, for every run of every tree up to 40 leaves', () => {
    for (let size = 1; size <= 40; size++) {
      const hashes = leaves(size);
      const tree = inMemorySubtrees(hashes);
      const root = rootAt(size, tree);
      for (let lo = 0; lo <= size; lo++) {
        for (let hi = lo; hi <= size; hi++) {
          const named = new Map(rangeProofNodes(lo, hi, size).map(([l, i]) => [`${l}/${i}`, tree(l, i)]));
          const got = rootFromRange(
            lo,
            hi,
            size,
            (p) => hashes[p] as Buffer,
            (l, i) => {
              const hash = named.get(`${l}/${i}`);
              if (!hash) throw new Error(`the proof lacks subtree ${l}/${i}`);
              return hash;
            },
          );
          expect(got.equals(root), `size ${size}, run [${lo}, ${hi})`).toBe(true);
        }
      }
    }
  });

  it('needs O(log n) subtrees, whatever the run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (size, f) => {
          const lo = Math.floor(f * size);
          const hi = Math.min(size, lo + 1000);
          expect(rangeProofNodes(lo, hi, size).length).toBeLessThanOrEqual(
            2 * Math.ceil(Math.log2(size + 1)) + 2,
          );
        },
      ),
    );
  });

  it('gives a different root when one leaf of the run is changed', () => {
    const hashes = leaves(13);
    const tree = inMemorySubtrees(hashes);
    const changed = hashes.slice();
    changed[6] = createHash('sha256').update('edited').digest();
    const got = rootFromRange(3, 9, 13, (p) => changed[p] as Buffer, tree);
    expect(got.equals(rootAt(13, tree))).toBe(false);
  });

  it('refuses a run that is not within the tree', () => {
    expect(() => rangeProofNodes(5, 4, 10)).toThrow(RangeError);
    expect(() => rangeProofNodes(0, 11, 10)).toThrow(RangeError);
  });
});

describe('a root built one leaf at a time', () => {
  it('is the RFC 9162 root after every leaf', () => {
    const hashes = leaves(70);
    const tree = inMemorySubtrees(hashes);
    const builder = createRootBuilder();
    expect(builder.root()).toEqual(EMPTY_ROOT);
    hashes.forEach((hash, i) => {
      builder.push(hash);
      expect(builder.size).toBe(i + 1);
      expect(builder.root().equals(rootAt(i + 1, tree)), `size ${i + 1}`).toBe(true);
    });
  });
});

describe('position ranges', () => {
  it('round-trip any set of positions', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 })), (positions) => {
        const ranges = parsePositionRanges(formatPositionRanges(positions));
        if (!ranges) throw new Error('unparsable');
        for (let p = 0; p <= 501; p++) expect(inPositionRanges(ranges, p)).toBe(positions.includes(p));
      }),
    );
    expect(formatPositionRanges([9, 3, 4, 5, 12, 13])).toBe('3-5,9,12-13');
  });

  it('refuse text that is not ranges', () => {
    for (const text of ['a', '1-', '5-3', '1,,2', '-1', '1 -2'])
      expect(parsePositionRanges(text)).toBeUndefined();
  });
});
