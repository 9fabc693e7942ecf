/**
 * Leaves (store/event-leaves.ts) computed in the sealer's worker thread (seal-worker.ts), packed
 * into a few buffers to cross threads: thousands of small objects would cost more to copy than
 * to compute.
 */
import type { NewLeaf } from '../store/merkle-store.js';

/** Leaves as buffers and lists: 32 bytes of commitment, salt and hash each per leaf. */
export interface PackedLeaves {
  seqs: Float64Array;
  orgIds: Float64Array;
  /** Per leaf its event id, time and category. */
  headers: string[];
  bytes: Uint8Array;
}

export function packLeaves(leaves: readonly NewLeaf[]): PackedLeaves {
  const n = leaves.length;
  const packed: PackedLeaves = {
    seqs: new Float64Array(n),
    orgIds: new Float64Array(n),
    headers: new Array(3 * n),
    bytes: new Uint8Array(96 * n),
  };
  leaves.forEach((leaf, i) => {
    packed.seqs[i] = leaf.eventSeq;
    packed.orgIds[i] = leaf.orgId;
    packed.headers[3 * i] = leaf.eventId;
    packed.headers[3 * i + 1] = leaf.timestamp;
    packed.headers[3 * i + 2] = leaf.category;
    packed.bytes.set(leaf.commitment, 96 * i);
    packed.bytes.set(leaf.salt as Buffer, 96 * i + 32);
    packed.bytes.set(leaf.hash, 96 * i + 64);
  });
  return packed;
}

export function unpackLeaves(packed: PackedLeaves): NewLeaf[] {
  const bytes = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  return Array.from(packed.seqs, (seq, i) => ({
    orgId: packed.orgIds[i] as number,
    eventSeq: seq,
    eventId: packed.headers[3 * i] as string,
    timestamp: packed.headers[3 * i + 1] as string,
    category: packed.headers[3 * i + 2] as string,
    commitment: bytes.subarray(96 * i, 96 * i + 32),
    salt: bytes.subarray(96 * i + 32, 96 * i + 64),
    hash: bytes.subarray(96 * i + 64, 96 * i + 96),
  }));
}
