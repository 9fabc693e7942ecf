import type { Db } from '../store/database.js';
import { createEventReads } from '../store/event-reads.js';
import { EVENT_JSON, type StoredEvent } from '../store/event-rows.js';

/** Rows read per page; an async scan lets the event loop turn between pages. */
export const SCAN_PAGE_ROWS = 500;

/** An event as JSON text SQLite made (EVENT_JSON), with what a summary of it counts. */
export interface EventJson {
  json: string;
  category: string;
  ts: number;
}

/** Every event of the organization, access events included. */
const EVERY_EVENT = { detailed: true } as const;
const WHOLE_ORGANIZATION = { kind: 'organization' } as const;

/**
 * An organization's events, oldest first, a page at a time (the event store's paging after a
 * position), so no statement stays open across pages and a long scan can yield between them.
 */
export function createEventScan(db: Db) {
  const reads = createEventReads(db);
  const jsonRowsAt = db
    .prepare<[string], [string, string, number]>(
      `SELECT ${EVENT_JSON}, category, ts FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
    )
    .raw(true);
  const pageAfter = (orgId: number, afterSeq: number): StoredEvent[] =>
    reads.page(orgId, EVERY_EVENT, WHOLE_ORGANIZATION, { afterSeq, limit: SCAN_PAGE_ROWS }).events;

  return {
    /** Every event in one synchronous pass (inside a write transaction). */
    *all(orgId: number): Generator<StoredEvent> {
      for (let rows = pageAfter(orgId, 0); rows.length > 0; rows = pageAfter(orgId, lastSeq(rows)))
        yield* rows;
    },

    /** Every event, a page at a time, yielding to the event loop between pages. */
    async *pages(orgId: number): AsyncGenerator<StoredEvent[]> {
      // Every page is read on a turn of its own, never inside another request's open write
      // (the server's writes settle within one turn: store/write-gate.ts).
      for (let afterSeq = 0; ; ) {
        await new Promise((resolve) => setImmediate(resolve));
        const rows = pageAfter(orgId, afterSeq);
        if (rows.length === 0) return;
        yield rows;
        afterSeq = lastSeq(rows);
      }
    },

    /**
     * The events at these positions (those still stored) as JSON SQLite made, a page at a time,
     * yielding to the event loop between pages: the same text JSON.stringify gives of the
     * event (test/unit/event-json.test.ts), without an object per event in between.
     */
    async *jsonAt(seqs: readonly number[]): AsyncGenerator<EventJson[]> {
      for (let start = 0; start < seqs.length; start += SCAN_PAGE_ROWS) {
        // Read on a turn of its own, as pages() is.
        await new Promise((resolve) => setImmediate(resolve));
        const page = JSON.stringify(seqs.slice(start, start + SCAN_PAGE_ROWS));
        yield jsonRowsAt.all(page).map(([json, category, ts]) => ({ json, category, ts }));
      }
    },
  };
}

function lastSeq(rows: StoredEvent[]): number {
  return (rows.at(-1) as StoredEvent).seq;
}

export type EventScan = ReturnType<typeof createEventScan>;
