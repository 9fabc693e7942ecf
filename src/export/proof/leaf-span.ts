/**
 * The leaf hashes of the positions [lo, hi] in one Buffer, 32 bytes each, with a mark per
 * position of what filled it: all a check of a million rows holds besides the proof.
 */
import { HASH_BYTES } from '../../domain/merkle/hashes.js';

export const EMPTY = 0;
export const BY_ROW = 1;
export const BY_OTHER = 2;

export class LeafSpan {
  readonly hashes: Buffer;
  readonly filled: Uint8Array;

  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    const length = hi - lo + 1;
    this.hashes = Buffer.alloc(length * HASH_BYTES);
    this.filled = new Uint8Array(length);
  }

  /** Fills `position`; false when it already was (a position named twice). */
  set(position: number, hash: Uint8Array, by: typeof BY_ROW | typeof BY_OTHER): boolean {
    const at = position - this.lo;
    if (this.filled[at] !== EMPTY) return false;
    this.filled[at] = by;
    this.hashes.set(hash, at * HASH_BYTES);
    return true;
  }

  at(position: number): Buffer {
    const at = (position - this.lo) * HASH_BYTES;
    return this.hashes.subarray(at, at + HASH_BYTES);
  }

  /** The first position nothing filled, if any. */
  firstEmpty(): number | undefined {
    const at = this.filled.indexOf(EMPTY);
    return at === -1 ? undefined : this.lo + at;
  }
}
