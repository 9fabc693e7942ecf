import type { Db } from './database.js';

/**
 * Checkpoints the WAL once writes pause. The autocheckpoint threshold is set high for bulk
 * ingest (see database.ts); without this, a server that writes a little at a time would carry
 * that much WAL beside a small database. A passive checkpoint after `quietMs` without a commit
 * copies the WAL into the main file without waiting for readers; the next write then starts
 * the WAL again from its beginning, and SQLite cuts the file back to journal_size_limit.
 */
export function createQuietCheckpointer(db: Db, quietMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const checkpoint = () => {
    timer = undefined;
    if (!db.open) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Nothing is lost: every commit is already in the WAL; autocheckpoint or the next quiet spell retries.
    }
  };
  return {
    /** Called after each commit: restarts the quiet period. */
    poke(): void {
      if (timer) timer.refresh();
      else {
        timer = setTimeout(checkpoint, quietMs);
        timer.unref();
      }
    },
    close(): void {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type QuietCheckpointer = ReturnType<typeof createQuietCheckpointer>;
