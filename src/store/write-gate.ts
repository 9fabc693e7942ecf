import { isBusyError, withoutBusyWait } from './busy.js';
import type { Db } from './database.js';
import { afterCommit, outermostTransaction, outermostTransactionAsync } from './transaction.js';

/** The first pause after the lock was found taken; each further pause doubles, up to the cap. */
const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;

/**
 * An asynchronous write's work waited for something other than its own SQLite calls (a timer,
 * the network, a read outside its transaction) while the transaction was open: other requests
 * would have run inside it. The work is rolled back; the code that did this must change.
 */
export class InterleavedWriteError extends Error {
  override readonly name = 'InterleavedWriteError';
  constructor() {
    super('a write transaction awaited something other than its own SQLite calls; rolled back');
  }
}

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
  // Writes of this process, one after another: the tail of the line, cleared when it drains.
  let line: Promise<void> | undefined;

  /** Runs `turn` once the writes asked before it settled; at once (same call) when none wait. */
  function inLine<T>(turn: () => Promise<T>): Promise<T> {
    const result = line ? line.then(turn, turn) : turn();
    const settled = result.then(
      () => {},
      () => {},
    );
    line = settled;
    void settled.then(() => {
      if (line === settled) line = undefined;
    });
    return result;
  }

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

  /** Waits, without stopping the event loop, until BEGIN IMMEDIATE succeeds or the bound passes. */
  async function beginAfterWait(): Promise<void> {
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
  }

  function rollBack(): void {
    if (db.inTransaction) db.exec('ROLLBACK');
  }

  function runLocked<T>(work: () => T): T {
    return outermostTransaction(db, () => {
      try {
        const result = work();
        if (result instanceof Promise) throw new Error('a gated write must be synchronous');
        db.exec('COMMIT');
        return result;
      } catch (error) {
        rollBack();
        throw error;
      }
    });
  }

  /**
   * Runs asynchronous `work` in the open transaction. Its SQLite calls answer on the next
   * microtask, so it settles before any macrotask; if a setImmediate sentinel fires first, work
   * waited on something else while holding the transaction: roll back, `onAbandon`, reject.
   */
  function runLockedAsync<T>(work: () => Promise<T>, onAbandon: () => void): Promise<T> {
    return outermostTransactionAsync(
      db,
      () =>
        new Promise<T>((resolve, reject) => {
          let settled = false;
          const sentinel = setImmediate(() => {
            if (settled) return;
            settled = true;
            onAbandon();
            rollBack();
            reject(new InterleavedWriteError());
          });
          const finish = (commit: boolean, outcome: () => void) => {
            if (settled) return;
            settled = true;
            clearImmediate(sentinel);
            try {
              if (commit) db.exec('COMMIT');
              else rollBack();
            } catch (error) {
              rollBack();
              reject(error);
              return;
            }
            outcome();
          };
          let running: Promise<T>;
          try {
            running = work();
          } catch (error) {
            running = Promise.reject(error);
          }
          running.then(
            (value) => finish(true, () => resolve(value)),
            (error: unknown) => finish(false, () => reject(error)),
          );
        }),
    );
  }

  return {
    /**
     * Runs `work` (synchronous) in one write transaction as soon as the lock is free; rejects
     * with WriteLockTimeoutError if it is not free within the bound, having written nothing.
     * With the lock free and no write of this process waiting, it begins, runs and commits on
     * this turn of the event loop.
     */
    write<T>(work: () => T): Promise<T> {
      return inLine(async () => {
        if (!tryBegin()) await beginAfterWait();
        return runLocked(work);
      });
    },

    /**
     * Runs asynchronous `work` in one write transaction, in line with every other write here.
     * `work` may await only its own SQLite calls (see runLockedAsync); `onAbandon` is told when
     * it did otherwise, before the rollback, so its scope can refuse further calls.
     */
    writeAsync<T>(work: () => Promise<T>, onAbandon: () => void = () => {}): Promise<T> {
      return inLine(async () => {
        if (!tryBegin()) await beginAfterWait();
        return runLockedAsync(work, onAbandon);
      });
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
