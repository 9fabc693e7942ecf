import { isBusyError, withoutBusyWait } from './busy.js';
import type { Db } from './database.js';
import { outsideTransactions } from './transaction.js';

// Set in the erasure's own transaction, cleared once no old copy is left: it holds no personal
// data (the rows are already rewritten), only the fact that the files still need scrubbing.
const PENDING_KEY = 'gdpr_scrub_pending';
const POLL_MS = 25;

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Makes an erasure final in the files: the full-text index merged (dropping deleted entries),
 * then the WAL, which still holds the pages as they were before the erasure, checkpointed into
 * the main file and truncated. secure_delete (set at open) has zeroed freed space already. A
 * reader in the middle of a transaction keeps the old pages alive; then this waits, with a bound.
 */
export function createScrubber(db: Db) {
  const markPending = db.prepare("INSERT OR REPLACE INTO server_settings (key, value) VALUES (?, '1')");
  const pendingFlag = db.prepare('SELECT 1 FROM server_settings WHERE key = ?').pluck();
  const clearPending = db.prepare('DELETE FROM server_settings WHERE key = ?');

  /** One attempt that never waits on the busy handler (the event loop must not stall). */
  function tryOnce(): boolean {
    try {
      return withoutBusyWait(db, () => {
        db.exec("INSERT INTO events_fts (events_fts) VALUES ('optimize')");
        const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[];
        if (result === undefined || result.busy !== 0 || result.checkpointed !== result.log) return false;
        clearPending.run(PENDING_KEY);
        // Best effort: the WAL now holds only the cleared flag.
        db.pragma('wal_checkpoint(TRUNCATE)');
        return true;
      });
    } catch (error) {
      if (isBusyError(error)) return false;
      throw error;
    }
  }

  return {
    /** Inside the erasure's transaction: the files are not clean until a scrub succeeds. */
    markPending(): void {
      markPending.run(PENDING_KEY);
    },

    pending(): boolean {
      return pendingFlag.get(PENDING_KEY) !== undefined;
    },

    /** Scrubs, retrying for up to `waitMs` while readers hold old pages; true once clean. */
    async scrub(waitMs: number): Promise<boolean> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        // Never inside another's open transaction on this connection (see outsideTransactions):
        // its optimize would write into it, and its checkpoint could not finish anyway.
        if (await outsideTransactions(db, tryOnce)) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}

export type Scrubber = ReturnType<typeof createScrubber>;
