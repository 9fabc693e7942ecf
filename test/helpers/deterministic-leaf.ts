import { createHash } from 'node:crypto';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { commitmentOf, leafBytes, leafFields } from '../../src/domain/merkle/leaf.js';
import type { StoredEvent } from '../../src/store/event-rows.js';
import type { NewLeaf } from '../../src/store/merkle-store.js';

/** A salt made from the event's id: the same leaves on every engine and run, and a salt a test can look for. */
export function saltOf(eventId: string): Buffer {
  return createHash('sha256').update(`salt:${eventId}`).digest();
}

/** The Merkle leaf of a stored event under saltOf, as the tree sealer would make it. */
export function leafOf(orgId: number, stored: StoredEvent): NewLeaf {
  const salt = saltOf(stored.event.id);
  const commitment = commitmentOf(salt, leafFields(stored.event));
  return {
    orgId,
    eventSeq: stored.seq,
    eventId: stored.event.id,
    timestamp: stored.event.timestamp,
    category: stored.event.category,
    commitment,
    salt,
    hash: leafHash(leafBytes(stored.event, commitment)),
  };
}
