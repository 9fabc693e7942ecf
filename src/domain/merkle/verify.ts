/**
 * Checking proofs as RFC 9162 says (§2.1.3.2 inclusion, §2.1.4.2 consistency). Each answers
 * true or false and never throws on a malformed proof: whatever a server sends is just wrong.
 */
import { HASH_BYTES, nodeHash } from './hashes.js';

/** Whether `proof` shows the leaf with `leafHash` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isPosition(index) || !isPosition(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/** Whether `proof` shows that the tree (`first`, `firstRoot`) is a prefix of (`second`, `secondRoot`). */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isPosition(first) || !isPosition(second) || first > second) return false;
  // An empty tree is a prefix of every tree, so there is nothing to prove (RFC 9162 defines no
  // proof for it; the published vectors refuse it): a verifier without an earlier tree skips this.
  if (first === 0) return false;
  // A tree is consistent with itself alone.
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(fr, firstRoot) && equal(sr, secondRoot);
}

const isPosition = (n: number) => Number.isSafeInteger(n) && n >= 0;
const isHash = (hash: Uint8Array) => hash instanceof Uint8Array && hash.length === HASH_BYTES;
const isPowerOfTwo = (n: number) => (BigInt(n) & (BigInt(n) - 1n)) === 0n;
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
