/**
 * The root of a tree from a contiguous run of its leaves plus the perfect subtrees around it:
 * what a proof for an exported range carries. The leaves [lo, hi) are known (recomputed from the
 * file); every other part of the tree comes as the hash of a perfect subtree outside the run.
 * One walk serves both sides: the server lists the subtrees the walk needs, the verifier walks
 * again with their hashes, so the two can never disagree about which subtrees a proof holds.
 */
import { HASH_BYTES, nodeHash } from './hashes.js';
import { rootAt } from './proofs.js';
import type { PerfectSubtrees } from './subtrees.js';

/** (level, index): the perfect subtree of 2^level leaves from leaf index * 2^level. */
export type SubtreeAt = [level: number, index: number];

function rangeRoot(
  lo: number,
  hi: number,
  size: number,
  inside: PerfectSubtrees,
  outside: PerfectSubtrees,
): Buffer {
  if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && 0 <= lo && lo <= hi && hi <= size)) {
    throw new RangeError(`the run [${lo}, ${hi}) is not within a tree of ${size}`);
  }
  const perfect: PerfectSubtrees = (level, index) => {
    const start = index * 2 ** level;
    const end = start + 2 ** level;
    if (start >= lo && end <= hi) return inside(level, index);
    if (end <= lo || start >= hi) return outside(level, index);
    return nodeHash(perfect(level - 1, 2 * index), perfect(level - 1, 2 * index + 1));
  };
  return rootAt(size, perfect);
}

const PLACEHOLDER = Buffer.alloc(HASH_BYTES);

/** The subtrees outside the leaves [lo, hi) that the root of a tree of `size` needs, in walk order. */
export function rangeProofNodes(lo: number, hi: number, size: number): SubtreeAt[] {
  const nodes: SubtreeAt[] = [];
  rangeRoot(
    lo,
    hi,
    size,
    () => PLACEHOLDER,
    (level, index) => {
      nodes.push([level, index]);
      return PLACEHOLDER;
    },
  );
  return nodes;
}

/**
 * The root of a tree of `size` from the hashes of its leaves [lo, hi) and the subtrees
 * rangeProofNodes(lo, hi, size) names. `subtree` throws (or answers a wrong hash, which gives a
 * wrong root) when a proof lacks one.
 */
export function rootFromRange(
  lo: number,
  hi: number,
  size: number,
  leafHashAt: (position: number) => Buffer,
  subtree: PerfectSubtrees,
  /** Subtrees within the run already hashed from the same leaves, if any: taken as they are. */
  known?: (level: number, index: number) => Buffer | undefined,
): Buffer {
  const inside: PerfectSubtrees = (level, index) =>
    level === 0
      ? leafHashAt(index)
      : (known?.(level, index) ?? nodeHash(inside(level - 1, 2 * index), inside(level - 1, 2 * index + 1)));
  return rangeRoot(lo, hi, size, inside, subtree);
}
