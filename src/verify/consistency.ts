/**
 * Whether the log now is the log seen before, only longer: a smaller tree is a rollback (an old
 * copy of the database), the same size with another root or a proof that fails a rewrite.
 */
import { verifyConsistency } from '../domain/merkle/verify.js';
import type { SeenCheckpoint } from './checkpoint-note.js';
import { TamperEvidence } from './problems.js';

/** Fetches the consistency proof between two sizes, hashes in base64. */
export type ConsistencyFetcher = (first: number, second: number) => Promise<string[]>;

/**
 * Resolves when `current` extends `previous`; throws TamperEvidence naming both otherwise.
 * `seenBy` says where `previous` comes from ("this profile", "the saved checkpoints in FILE").
 */
export async function checkConsistent(
  previous: SeenCheckpoint,
  current: SeenCheckpoint,
  fetchProof: ConsistencyFetcher,
  seenBy: string,
): Promise<void> {
  const before = `${previous.size} events${previous.signedAt ? ` signed ${previous.signedAt}` : ''}`;
  if (previous.size > current.size) {
    throw new TamperEvidence({
      kind: 'rolled-back',
      message: `rolled back: the log has ${current.size} events, but ${seenBy} saw ${before}; the server's history went backwards (an older copy of its database?)`,
    });
  }
  if (previous.size === current.size) {
    if (previous.root.equals(current.root)) return;
    throw rewritten(`the log of ${current.size} events has another root than the one ${seenBy} saw`);
  }
  if (previous.size === 0) return;
  const hashes = await fetchProof(previous.size, current.size);
  // Whatever the server sent is checked, never trusted: a non-text entry is a wrong hash.
  const proof = Array.isArray(hashes)
    ? hashes.map((hash) => (typeof hash === 'string' ? Buffer.from(hash, 'base64') : Buffer.alloc(0)))
    : [];
  if (!verifyConsistency(previous.size, current.size, previous.root, current.root, proof)) {
    throw rewritten(`the log of ${current.size} events does not extend the ${before} that ${seenBy} saw`);
  }
}

function rewritten(what: string): TamperEvidence {
  return new TamperEvidence({ kind: 'rewritten', message: `history rewritten: ${what}` });
}
