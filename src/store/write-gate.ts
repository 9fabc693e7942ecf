import { isBusyError, withoutBusyWait } from './busy.js';
import type { Db } from './database.js';
import { afterCommit, outermostTransaction } from './transaction.js';

/** The first pause after the lock was found taken; each further pause doubles, up to the cap. */
const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;

/** The lock stayed taken past the wait bound: the API answers 503 with Retry-After. */
export class WriteLockTimeoutError extends Error {
  override readonly name = 'WriteLockTimeoutError';
  readonly code = 'SQLITE_BUSY';
  constructor(waitedMs: number) {
    super(`the database stayed locked by another process for ${waitedMs} ms`);
  }
}

export interface WriteGateOptions {
  /**
   * How long a write waits for another process to release the lock. Default: the connection's
   * busy timeout (openDatabase's busyTimeoutMs, 5 s), read at each write; the gate keeps
   * SQLite's busy handler itself off while it tries the lock.
   */
  waitMs?: number;
  /** Told of a wake-up (see afterCommit) that threw after its commit; default: a process warning. */
  onError?: (error: unknown) => void;
}

/**
 * The server's one way to write. SQLite lets one connection write at a time; while another
 * process holds the lock (an admin command, a backup, `sqlite3`), SQLite's own busy handler
 * would sleep inside the call and stop the event loop, and with it every read, health check
 * and live stream. Instead the gate tries `BEGIN IMMEDIATE` without waiting, and while the lock
 * is taken it pauses asynchronously (2 ms, doubling to 50 ms) and tries again, up to `waitMs`.
 * Reads need no such care: in WAL mode a reader does not wait for the writer.
 *
 * Once the lock is held, `work` runs synchronously and the transaction commits before the
 * promise resolves: an answer that says "stored" is sent only after the commit. The stores'
 * own write transactions inside `work` become savepoints of this one.
 */
export function createWriteGate(db: Db, options: WriteGateOptions = {}) {
  function tryBegin(): boolean {
    if (db.inTransaction) throw new Error('a gated write cannot start inside another transaction');
    try {
      withoutBusyWait(db, () => db.exec('BEGIN IMMEDIATE'));
      return true;
    } catch (error) {
      if (isBusyError(error)) return false;
      throw error;
    }
  }

  function runLocked<T>(work: () => T): T {
    return outermostTransaction(db, () => {
      try {
        const result = work();
        if (result instanceof Promise) throw new Error('a gated write must be synchronous');
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  return {
    /**
     * Runs `work` (synchronous) in one write transaction as soon as the lock is free; rejects
     * with WriteLockTimeoutError if it is not free within the bound, having written nothing.
     * With the lock free, it begins, runs and commits on this turn of the event loop.
     */
    async write<T>(work: () => T): Promise<T> {
      const started = Date.now();
      const waitMs = options.waitMs ?? (db.pragma('busy_timeout', { simple: true }) as number);
      let pause = FIRST_PAUSE_MS;
      while (!tryBegin()) {
        const left = started + waitMs - Date.now();
        if (left <= 0) throw new WriteLockTimeoutError(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
        if (!db.open) throw new Error('the database was closed while a write waited for the lock');
      }
      return runLocked(work);
    },

    /**
     * Runs `callback` once the outermost transaction in progress (gated or not) has committed,
     * not at all if it rolls back, or at once outside one: followers and the webhook worker
     * never see uncommitted rows (see transaction.ts).
     */
    afterCommit(callback: () => void): void {
      afterCommit(db, callback, options.onError);
    },
  };
}

export type WriteGate = ReturnType<typeof createWriteGate>;
