import type { Db } from './database.js';
import { createEventIngest, type EventIngestOptions } from './event-ingest.js';
import { createEventReads } from './event-reads.js';

export type EventStore = ReturnType<typeof createEventStore>;

/** The event log: its writes (event-ingest.ts) and its reads (event-reads.ts). */
export function createEventStore(db: Db, options: EventIngestOptions = {}) {
  const reads = createEventReads(db);
  return { ...reads, ...createEventIngest(db, reads, options) };
}
