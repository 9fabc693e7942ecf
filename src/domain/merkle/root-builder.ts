import { EMPTY_ROOT, nodeHash } from './hashes.js';

/**
 * The root of a tree from its leaf hashes given one at a time, in O(log n) memory: the hashes
 * of the perfect subtrees completed so far, largest first (a "compact range"). The RFC 9162
 * root of n leaves is those subtrees folded from the right.
 */
export function createRootBuilder() {
  const stack: { level: number; hash: Buffer }[] = [];
  let size = 0;
  return {
    push(leafHash: Buffer): void {
      let node = { level: 0, hash: leafHash };
      for (let top = stack.at(-1); top && top.level === node.level; top = stack.at(-1)) {
        stack.pop();
        node = { level: node.level + 1, hash: nodeHash(top.hash, node.hash) };
      }
      stack.push(node);
      size++;
    },
    get size(): number {
      return size;
    },
    root(): Buffer {
      if (stack.length === 0) return EMPTY_ROOT;
      let hash = (stack.at(-1) as { hash: Buffer }).hash;
      for (let i = stack.length - 2; i >= 0; i--) hash = nodeHash((stack[i] as { hash: Buffer }).hash, hash);
      return hash;
    },
  };
}
