import { EMPTY_ROOT, nodeHashBinary } from './hashes.js';

/**
 * The root of a tree from its leaf hashes given one at a time, in O(log n) memory: the hashes
 * of the perfect subtrees completed so far, largest first (a "compact range"). The RFC 9162
 * root of n leaves is those subtrees folded from the right. Hashes are kept as 'binary' text,
 * one character a byte: a million leaves make no Buffer per node (src/domain/merkle/digest.ts).
 */
export function createRootBuilder() {
  const levels: number[] = [];
  const hashes: string[] = [];
  let size = 0;
  const pushBinary = (leafHash: string): void => {
    let hash = leafHash;
    let level = 0;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      levels.pop();
      hash = nodeHashBinary(hashes.pop() as string, hash);
      level++;
    }
    levels.push(level);
    hashes.push(hash);
    size++;
  };
  return {
    push(leafHash: Buffer): void {
      pushBinary(leafHash.toString('binary'));
    },
    /** push of a hash given as 'binary' text. */
    pushBinary,
    get size(): number {
      return size;
    },
    root(): Buffer {
      if (hashes.length === 0) return EMPTY_ROOT;
      let hash = hashes[hashes.length - 1] as string;
      for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHashBinary(hashes[i] as string, hash);
      return Buffer.from(hash, 'binary');
    },
  };
}
