/**
 * Proofs of a Merkle tree as RFC 9162 defines them (§2.1.3.1 inclusion, §2.1.4.1 consistency):
 * the recursive definitions of the RFC, over absolute leaf positions.
 */
import { EMPTY_ROOT, splitPoint } from './hashes.js';
import { type PerfectSubtrees, subtreeHash } from './subtrees.js';

/** The root of the tree's first `size` leaves. */
export function rootAt(size: number, perfect: PerfectSubtrees): Buffer {
  return size === 0 ? EMPTY_ROOT : subtreeHash(0, size, perfect);
}

/** PATH(index, D[0:size]): the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(index: number, size: number, perfect: PerfectSubtrees): Buffer[] {
  assertWhole(index, 'index');
  assertWhole(size, 'size');
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Buffer[] = [];
  // The RFC's recursion, unrolled: the sibling at each level is prepended, innermost first.
  const walk = (m: number, start: number, end: number) => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (m < k) {
      walk(m, start, start + k);
      path.push(subtreeHash(start + k, end, perfect));
    } else {
      walk(m - k, start + k, end);
      path.push(subtreeHash(start, start + k, perfect));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(first, D[0:second]): that the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyProof(first: number, second: number, perfect: PerfectSubtrees): Buffer[] {
  assertWhole(first, 'first size');
  assertWhole(second, 'second size');
  if (first > second) throw new RangeError(`a tree of ${first} cannot be a prefix of a tree of ${second}`);
  if (first === 0 || first === second) return [];
  const proof: Buffer[] = [];
  const subproof = (m: number, start: number, end: number, complete: boolean) => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(subtreeHash(start, end, perfect));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, complete);
      proof.push(subtreeHash(start + k, end, perfect));
    } else {
      subproof(m - k, start + k, end, false);
      proof.push(subtreeHash(start, start + k, perfect));
    }
  };
  subproof(first, 0, second, true);
  return proof;
}

function assertWhole(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number, got ${value}`);
}
