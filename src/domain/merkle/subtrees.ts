import { nodeHash, splitPoint } from './hashes.js';

/**
 * Where a tree's hashes come from: the hash of a perfect subtree, 2^level leaves starting at leaf
 * `index * 2^level` (level 0 is the leaf hashes). A store keeps these as they complete, so any
 * root or proof needs O(log n) lookups however large the tree.
 */
export type PerfectSubtrees = (level: number, index: number) => Buffer;

/** MTH(D[start:end]) (RFC 9162 §2.1.1) from the perfect subtrees it decomposes into; end > start. */
export function subtreeHash(start: number, end: number, perfect: PerfectSubtrees): Buffer {
  const size = end - start;
  if (isPowerOfTwo(size) && start % size === 0) return perfect(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(subtreeHash(start, start + k, perfect), subtreeHash(start + k, end, perfect));
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Perfect subtrees over leaf hashes held in memory (tests, and verifying an exported range). */
export function inMemorySubtrees(leafHashes: readonly Buffer[]): PerfectSubtrees {
  const levels: Buffer[][] = [leafHashes.slice()];
  return (level, index) => {
    for (let at = levels.length; at <= level; at++) {
      const below = levels[at - 1] as Buffer[];
      const made: Buffer[] = [];
      for (let i = 0; i + 1 < below.length; i += 2)
        made.push(nodeHash(below[i] as Buffer, below[i + 1] as Buffer));
      levels.push(made);
    }
    const hash = levels[level]?.[index];
    if (!hash) throw new RangeError(`no perfect subtree at level ${level}, index ${index}`);
    return hash;
  };
}
