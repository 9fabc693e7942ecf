import type { Db } from './database.js';
import { createDirectoryStore, type DirectoryStore } from './directory-store.js';
import type { EventIngestOptions } from './event-ingest.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import { createEventStore, type EventStore } from './event-store.js';
import { createMerkleStore, type MerkleStore } from './merkle-store.js';

export interface Stores {
  db: Db;
  now: () => number;
  events: EventStore;
  directory: DirectoryStore;
  recorder: EventRecorder;
  /** Each organization's Merkle tree and signed checkpoints. */
  merkle: MerkleStore;
}

/**
 * The store graph, built here only: the repositories over one connection and the recorder
 * that events enter through. No timers, no network: what an admin command needs, and what the
 * running server builds its services on. `afterCommit` hears of every commit that stored events.
 */
export function createStores(
  db: Db,
  now: () => number = Date.now,
  afterCommit?: () => void,
  options: EventIngestOptions = {},
): Stores {
  const events = createEventStore(db, options);
  const directory = createDirectoryStore(db, now);
  return {
    db,
    now,
    events,
    directory,
    recorder: createEventRecorder(events, now, afterCommit),
    merkle: createMerkleStore(db),
  };
}
