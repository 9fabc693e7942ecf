/**
 * The perfect subtrees of a LeafSpan, hashed as its leaves fill from its low end while the rows
 * come in (the check's thread mostly waits on its workers then), so that the root after the last
 * row needs few hashes more: a million rows are a million node hashes, which on their own after
 * the last row kept one core busy and the others idle. Subtrees of KEPT_LEVEL leaves or more are
 * kept by level and index, for rootFromRange to take instead of hashing them again.
 * test/unit/span-subtrees.test.ts holds the root with them equal to the root without.
 */
import { nodeHash } from '../../domain/merkle/hashes.js';
import { EMPTY, type LeafSpan } from './leaf-span.js';

/** Subtrees of 2^KEPT_LEVEL leaves and up are kept: ~4,000 for a million rows. */
const KEPT_LEVEL = 8;

interface Subtree {
  level: number;
  index: number;
  hash: Buffer;
}

export class SpanSubtrees {
  private next: number;
  /** Whole subtrees, left to right, none of them yet the left half of a whole one. */
  private readonly stack: Subtree[] = [];
  private readonly kept = new Map<string, Buffer>();

  constructor(private readonly span: LeafSpan) {
    this.next = span.lo;
  }

  /** Takes in the leaves filled since, from the first not taken in up to the first empty one. */
  advance(): void {
    const { span, stack } = this;
    while (this.next <= span.hi && span.filled[this.next - span.lo] !== EMPTY) {
      const at = (this.next - span.lo) * 32;
      let top: Subtree = { level: 0, index: this.next, hash: span.hashes.subarray(at, at + 32) };
      this.next++;
      for (
        let left = stack.at(-1);
        left && left.level === top.level && left.index % 2 === 0;
        left = stack.at(-1)
      ) {
        stack.pop();
        top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
        if (top.level >= KEPT_LEVEL) this.kept.set(`${top.level}/${top.index}`, top.hash);
      }
      stack.push(top);
    }
  }

  /** The hash of subtree (level, index) if it was kept. */
  known(level: number, index: number): Buffer | undefined {
    return this.kept.get(`${level}/${index}`);
  }
}
