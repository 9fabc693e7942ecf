import { isUtf8 } from 'node:buffer';
import { MAX_LEAVES_PER_READ } from '../domain/request-limits.js';
import type { Db } from './database.js';
import { EVENT_JSON, leafFieldsJsonSql } from './event-rows.js';

/**
 * Leaves as rows of JSON text built by SQLite, one row a line, each
 * [position, hash, event_id, timestamp, category, commitment, salt|null, fields|null] (bytes in
 * lowercase hex, fields as LEAF_FIELDS_JSON, null once the event is gone), and the events (JSON
 * text as the list shows them) stored among those leaves without one.
 */
export interface LeafRows {
  /** A JSON array of the rows, as text or as its UTF-8 bytes. */
  rowsJson: string | Buffer;
  unsealed: string[];
}

/** A leaf's JSON row, its event_seq, and its event's seq (null: the event is not there). */
type LeafRowValues<Row> = [Row, number, number | null];
type PageParams = [orgId: number, start: number, end: number];

const ROWS_OPEN = Buffer.from('[\n');
const ROWS_BETWEEN = Buffer.from(',\n');
const ROWS_CLOSE = Buffer.from('\n]');

/** `[` newline, the rows joined by `,` and a newline, newline `]`: one row a line. */
function joinRowBytes(rows: readonly LeafRowValues<Buffer>[]): Buffer {
  const parts: Buffer[] = [ROWS_OPEN];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) parts.push(ROWS_BETWEEN);
    parts.push((rows[i] as LeafRowValues<Buffer>)[0]);
  }
  parts.push(ROWS_CLOSE);
  return Buffer.concat(parts);
}

/** At most this many unsealed events are listed beside one read of leaves. */
export const MAX_UNSEALED_PER_READ = 10_000;

export type LeafRowReader = ReturnType<typeof createLeafRowReader>;

/** The leaves route's reads (`audit verify --full`): a page of leaves and the events without one. */
export function createLeafRowReader(db: Db) {
  // One statement a page, the answer joined in SQLite: Node touches no row. One row a line, so
  // that a reader can parse row by row (src/client/tree.ts parseLeafPage). The event of each
  // leaf is of the leaf's own organization: a row moved to another organization behind the
  // server's back shows as a leaf without its event.
  // One JSON row per leaf, joined here: group_concat of a page into one string took twice as
  // long (11 against 5 µs a leaf, 200,000 leaves in pages of 5,000).
  const rowSql = (row: string) =>
    `SELECT ${row}, leaf.event_seq, event.seq
       FROM merkle_leaves AS leaf
       LEFT JOIN events AS event ON event.seq = leaf.event_seq AND event.org_id = leaf.org_id
       WHERE leaf.org_id = ? AND leaf.position >= ? AND leaf.position < ?
       ORDER BY leaf.position`;
  const rowJson = `json_array(leaf.position, lower(hex(leaf.hash)), leaf.event_id,
      leaf.timestamp, leaf.category, lower(hex(leaf.commitment)),
      iif(leaf.salt IS NULL, NULL, lower(hex(leaf.salt))),
      iif(event.seq IS NULL, NULL, ${leafFieldsJsonSql('event')}))`;
  const selectLeafRows = db.prepare<PageParams, LeafRowValues<string>>(rowSql(rowJson)).raw(true);
  // The same rows as their UTF-8 bytes: the answer is sent as bytes, never decoded into strings
  // and encoded again (4.2 against 6.6 µs a leaf). Text that is not UTF-8 (only a file written
  // behind the server's back) is read as strings instead, whose decoding replaces what is not.
  const selectLeafRowBytes = db
    .prepare<PageParams, LeafRowValues<Buffer>>(rowSql(`CAST(${rowJson} AS BLOB)`))
    .raw(true);
  const countEvents = db
    .prepare<[number, number, number], number>(
      'SELECT count(*) FROM events WHERE org_id = ? AND seq >= ? AND seq <= ?',
    )
    .pluck();
  const selectUnsealed = db
    .prepare<[number, number, number], string>(
      `SELECT ${EVENT_JSON} FROM events WHERE org_id = ? AND seq >= ? AND seq <= ?
         AND NOT EXISTS (SELECT 1 FROM merkle_leaves
           WHERE merkle_leaves.event_seq = events.seq AND merkle_leaves.org_id = events.org_id)
       ORDER BY seq LIMIT ${MAX_UNSEALED_PER_READ}`,
    )
    .pluck();
  const selectSeqAt = db
    .prepare<[number, number], number>(
      'SELECT event_seq FROM merkle_leaves WHERE org_id = ? AND position = ?',
    )
    .pluck();

  return {
    /**
     * Leaves [start, end) (at most MAX_LEAVES_PER_READ) as rows with their events' fields (see
     * LeafRows), and the organization's events that lie between the first and last of those
     * leaves in storing order but have no leaf: rows slipped into the table behind the sealer's back.
     */
    leafRows(orgId: number, start: number, end: number): LeafRows {
      const last = Math.min(end, start + MAX_LEAVES_PER_READ);
      let rows: LeafRowValues<string | Buffer>[] = selectLeafRowBytes.all(orgId, start, last);
      let rowsJson: string | Buffer =
        rows.length === 0 ? '[]' : joinRowBytes(rows as LeafRowValues<Buffer>[]);
      if (typeof rowsJson !== 'string' && !isUtf8(rowsJson)) {
        rows = selectLeafRows.all(orgId, start, last);
        rowsJson = rows.length === 0 ? '[]' : `[\n${rows.map(([json]) => json).join(',\n')}\n]`;
      }
      let firstSeq: number | null = null;
      let lastSeq: number | null = null;
      for (const [, seq] of rows) {
        if (firstSeq === null || seq < firstSeq) firstSeq = seq;
        if (lastSeq === null || seq > lastSeq) lastSeq = seq;
      }
      // From just after the previous leaf (from the start for the first page): an event slipped in
      // between two pages, or before the first leaf, is listed by the page after it.
      const previousSeq = start > 0 ? selectSeqAt.get(orgId, start - 1) : Number.MIN_SAFE_INTEGER;
      const fromSeq = previousSeq === undefined ? firstSeq : previousSeq + 1;
      let unsealed: string[] = [];
      if (fromSeq !== null && lastSeq !== null) {
        // When this page's leaves, in increasing storing order (so of different events), have
        // as many of the org's events in the range as the range holds, every one of those has a
        // leaf: the per-event search (~1.5 µs an event) is needed only otherwise.
        if (sealedInRange(rows, fromSeq, lastSeq) !== countEvents.get(orgId, fromSeq, lastSeq))
          unsealed = selectUnsealed.all(orgId, fromSeq, lastSeq);
      }
      return { rowsJson, unsealed };
    },
  };
}

/**
 * How many rows have their event (of the org: the join asks it) with a seq in [from, to], or -1
 * when the rows' seqs do not increase (then two could stand for one event, and nothing is proved).
 */
function sealedInRange(rows: readonly LeafRowValues<unknown>[], from: number, to: number): number {
  let sealed = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (const [, seq, eventSeq] of rows) {
    if (seq <= previous) return -1;
    previous = seq;
    if (eventSeq !== null && seq >= from && seq <= to) sealed++;
  }
  return sealed;
}
