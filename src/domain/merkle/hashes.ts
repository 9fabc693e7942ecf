/**
 * The hashes of an RFC 9162 (RFC 6962) Merkle tree over SHA-256: a leaf is hashed with a 0x00
 * prefix and an interior node with 0x01, so a leaf can never pass for a node (second-preimage
 * resistance across levels).
 */
import { createHash, hash } from 'node:crypto';

export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leafBytes).digest();
}

/** MTH({d}) of a leaf given as text (its UTF-8 bytes): one call, no hash object. */
export function leafHashOfText(leafText: string): Buffer {
  return hash('sha256', `\0${leafText}`, 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right], 1 + left.length + right.length), 'buffer');
}

/** MTH({}) = SHA-256() — the root of the empty tree. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
