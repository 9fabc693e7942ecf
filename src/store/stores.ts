import type { Db } from './database.js';
import { createDirectoryStore, type DirectoryStore } from './directory-store.js';
import type { EventIngestOptions, IngestSealing } from './event-ingest.js';
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

export interface StoreOptions extends Omit<EventIngestOptions, 'tree'> {
  /**
   * Ingest seals its new events into the tree in its own transaction, making their leaves with
   * `leaves` (store/event-leaves.ts leavesOfInserted), and tells `grown` of each organization
   * whose tree grew (the server's sealer, which signs checkpoints).
   */
  sealOnIngest?: Omit<IngestSealing, 'merkle'> | undefined;
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
  options: StoreOptions = {},
): Stores {
  const merkle = createMerkleStore(db);
  const { sealOnIngest } = options;
  const events = createEventStore(db, {
    eventCounts: options.eventCounts,
    tree: sealOnIngest && { ...sealOnIngest, merkle },
  });
  const directory = createDirectoryStore(db, now);
  return {
    db,
    now,
    events,
    directory,
    recorder: createEventRecorder(events, now, afterCommit),
    merkle,
  };
}
