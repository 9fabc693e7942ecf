import type { EventJson } from '../store/gdpr-rows.js';
import type { StorePort } from '../store/port.js';

export type { EventJson };

/** Rows read per page; a scan outside a write lets the event loop turn between pages. */
export const SCAN_PAGE_ROWS = 500;

type GdprPort = StorePort['gdpr'];

/**
 * Every event of the organization, oldest first, a page at a time (the event store's paging after
 * a position), so no statement stays open across pages. Inside a write (`inWrite`) the pages
 * follow each other at once, as the write's work may await only its own store calls; outside,
 * each page is read on a turn of the event loop of its own, so a long scan lets the server
 * answer other requests meanwhile.
 */
export async function* eventPages(
  gdpr: GdprPort,
  orgId: number,
  options: { inWrite: boolean },
): AsyncGenerator<Awaited<ReturnType<GdprPort['eventsAfter']>>> {
  for (let afterSeq = 0; ; ) {
    if (!options.inWrite) await new Promise((resolve) => setImmediate(resolve));
    const rows = await gdpr.eventsAfter(orgId, afterSeq, SCAN_PAGE_ROWS);
    if (rows.length === 0) return;
    yield rows;
    afterSeq = (rows.at(-1) as (typeof rows)[number]).seq;
  }
}

/**
 * The organization's events at these positions (those still stored) as JSON the database made, a page at a
 * time, each on a turn of the event loop of its own (see eventPages).
 */
export async function* eventJsonAt(
  gdpr: GdprPort,
  orgId: number,
  seqs: readonly number[],
): AsyncGenerator<EventJson[]> {
  for (let start = 0; start < seqs.length; start += SCAN_PAGE_ROWS) {
    await new Promise((resolve) => setImmediate(resolve));
    yield await gdpr.eventJsonAt(orgId, seqs.slice(start, start + SCAN_PAGE_ROWS));
  }
}
