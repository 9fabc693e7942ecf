import type { PageCursor } from '../domain/cursor.js';
import {
  EXPORT_CHUNK_MAX_BYTES,
  EXPORT_CHUNK_MAX_ROWS,
  EXPORT_ROW_FIELDS,
  type ExportStreamHead,
} from '../domain/export-stream.js';
import type { ExportChunk } from '../store/export-chunk.js';
import type { ExportConnection } from './export-connection.js';
import type { RateDecision } from './rate-limiter.js';

/** What an export stream reads and how it pays for what it sends. */
export interface ExportPlan {
  /** The pinned upper bound the head line names (null when a tree size pins the range). */
  receivedBefore: string | null;
  /** The chunk after `cursor` (undefined: from the start of the range). */
  readChunk(
    cursor: PageCursor | undefined,
    limits: { maxRows: number; maxBytes: number },
  ): Promise<ExportChunk>;
  /** The cursor a client sends back to resume after the chunk that ends at `last`. */
  encodeCursor(last: PageCursor): string;
  /** What one more chunk costs (its query's cost, the list's for the same filter), if the token has it left. */
  charge(): RateDecision | Promise<RateDecision>;
  /**
   * Whether the token still reads what it read when the export began (not revoked, same role):
   * looked up at most once a second, unless `fresh`.
   */
  stillAllowed(fresh?: boolean): Promise<boolean>;
}

/** What a stream has sent so far, for its access record. */
export interface ExportProgress {
  rows: number;
}

/** The least time a paused stream waits before it asks the rate limit again. */
const MIN_PAUSE_MS = 10;

const CHUNK_LINE_END = Buffer.from(']}\n');

const CHUNK_LIMITS = { maxRows: EXPORT_CHUNK_MAX_ROWS, maxBytes: EXPORT_CHUNK_MAX_BYTES };

/** The first chunk, read before anything is sent: a failure is then still a problem document. */
export function firstChunk(plan: ExportPlan, cursor: PageCursor | undefined): Promise<ExportChunk> {
  return plan.readChunk(cursor, CHUNK_LIMITS);
}

export function headLine(receivedBefore: string | null): string {
  const head: ExportStreamHead = { columns: [...EXPORT_ROW_FIELDS], received_before: receivedBefore };
  return `${JSON.stringify(head)}\n`;
}

/**
 * Sends the head, `first` and every chunk after it, then the end line. Between chunks the event
 * loop turns (setImmediate: other requests are answered while an export streams) and a full
 * socket is waited for. The request's own cost pays for `first`; every later chunk is charged
 * when read, and one past the token's budget waits for its rate-limit window to reset. Stops at
 * once, without another query, when the connection closes, and cuts the stream when the token
 * no longer allows it.
 */
export async function streamExport(
  connection: ExportConnection,
  plan: ExportPlan,
  first: ExportChunk,
  progress: ExportProgress = { rows: 0 },
): Promise<void> {
  connection.write(headLine(plan.receivedBefore));
  let chunk = first;
  let paid = true;
  while (!connection.closed) {
    const last = chunk.last;
    if (chunk.count === 0 || last === undefined) {
      connection.end(`{"end":true,"count":${progress.rows}}\n`);
      return;
    }
    if (!paid) {
      const waited = await payFor(connection, plan);
      if (connection.closed) return;
      // A token revoked during the wait gets nothing more, not even the chunk read before it.
      if (waited && !(await plan.stillAllowed(true))) return connection.cut();
    }
    const cursor: PageCursor = { order: 'asc', timestamp: last.ts, seq: last.seq };
    // The rows are SQLite's bytes, sent as they are: never parsed here, never re-serialized.
    // The line in three writes (one socket write: the response corks them), not one copy of
    // the rows: that copy was a second ~0.5 MB external buffer a chunk, and external memory set
    // off the scavenges that held the event loop longest during an export (up to 18 ms, --trace-gc).
    connection.write(`{"cursor":${JSON.stringify(plan.encodeCursor(cursor))},"rows":[`);
    connection.write(chunk.rows);
    progress.rows += chunk.count;
    if (!connection.write(CHUNK_LINE_END)) await connection.drained();
    await new Promise((resolve) => setImmediate(resolve));
    if (connection.closed) return;
    // A revoked token, or a role that changed, reads nothing more: the client asks again and
    // is answered as anyone else.
    if (!(await plan.stillAllowed())) return connection.cut();
    chunk = await plan.readChunk(cursor, CHUNK_LIMITS);
    paid = false;
  }
}

/**
 * Charges the plan for one chunk, waiting for the rate-limit window to reset while the token
 * has not enough left. True when it had to wait.
 */
async function payFor(connection: ExportConnection, plan: ExportPlan): Promise<boolean> {
  let waited = false;
  while (!connection.closed) {
    const decision = await plan.charge();
    if (decision.allowed) return waited;
    waited = true;
    await connection.pause(Math.max(MIN_PAUSE_MS, decision.resetMs));
  }
  return waited;
}
