import { createPgEventIngest, type PgEventIngestOptions } from './event-ingest.js';
import { createPgEventReads } from './event-reads.js';
import type { PgPool } from './pool.js';
import { createPgRetention } from './retention.js';

export type PgEventStore = ReturnType<typeof createPgEventStore>;

/**
 * The event log on PostgreSQL: the methods of src/store/event-store.ts (ingest, purgeBefore,
 * page, pageJson, findById, findVisible, findBySeq, readFrom, maxSeq, endSeq), async and scoped
 * to an organization wherever SQLite's were global, so the store port's adapter is a thin layer.
 */
export function createPgEventStore(pool: PgPool, options: PgEventIngestOptions = {}) {
  return { ...createPgEventReads(pool), ...createPgEventIngest(pool, options), ...createPgRetention(pool) };
}
