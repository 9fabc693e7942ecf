/**
 * The hashes of an RFC 9162 (RFC 6962) Merkle tree over SHA-256: a leaf is hashed with a 0x00
 * prefix and an interior node with 0x01, so a leaf can never pass for a node (second-preimage
 * resistance across levels).
 */
import { createHash } from 'node:crypto';
import { sha256, sha256Binary } from './digest.js';

export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);

// One-shot hashing (digest.ts) is much cheaper than a Hash object per call (a million per
// check). The node's 65 bytes are assembled in a scratch buffer that nothing else keeps.
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, leafBytes]));
}

/** MTH({d}) of a leaf given as text (its UTF-8 bytes): one call, no hash object. */
export function leafHashOfText(leafText: string): Buffer {
  return sha256(`\0${leafText}`);
}

/** leafHashOfText as a string of its bytes (no Buffer made). */
export function leafHashOfTextBinary(leafText: string): string {
  return sha256Binary(`\0${leafText}`);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES)
    return createHash('sha256').update(nodeInput.subarray(0, 1)).update(left).update(right).digest();
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return sha256(nodeInput);
}

/** nodeHash of two hashes given and answered as 'binary' text (one character a byte): no Buffer made. */
export function nodeHashBinary(left: string, right: string): string {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES)
    return nodeHash(Buffer.from(left, 'binary'), Buffer.from(right, 'binary')).toString('binary');
  nodeInput.write(left, 1, 'binary');
  nodeInput.write(right, 1 + HASH_BYTES, 'binary');
  return sha256Binary(nodeInput);
}

/** MTH({}) = SHA-256() — the root of the empty tree. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
