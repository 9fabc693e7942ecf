import type { Db } from './database.js';

/**
 * The wake-ups (live followers, the webhook worker, the quiet checkpoint) queued by the
 * outermost transaction open on each connection. They read the database when woken: woken
 * inside the transaction they would read rows this connection has not committed, and might
 * roll back.
 */
const pendingWakeUps = new WeakMap<Db, (() => void)[]>();

/** Told of a wake-up that threw; by default a process warning. */
export type WakeUpErrorReporter = (error: unknown) => void;

const warnOfWakeUpFailure: WakeUpErrorReporter = (error) =>
  process.emitWarning(error instanceof Error ? error : String(error), 'WakeUpFailure');

/**
 * Runs one wake-up. By then the write is committed: a wake-up that throws must neither make the
 * write look failed (a client would resend it and store it twice) nor skip the wake-ups after it.
 */
function wakeSafely(wakeUp: () => void, onError: WakeUpErrorReporter): void {
  try {
    wakeUp();
  } catch (error) {
    try {
      onError(error);
    } catch {
      // A reporter that fails has nothing left to tell.
    }
  }
}

/**
 * Runs `open`, which begins, runs and commits (or rolls back and throws) the outermost
 * transaction of `db`; the wake-ups queued meanwhile run after it commits, none if it throws.
 * A transaction begun inside it is a savepoint: see writeTransaction.
 */
export function outermostTransaction<T>(db: Db, open: () => T): T {
  if (pendingWakeUps.has(db)) throw new Error('an outermost transaction is already open');
  const wakeUps: (() => void)[] = [];
  pendingWakeUps.set(db, wakeUps);
  let result: T;
  try {
    result = open();
  } finally {
    pendingWakeUps.delete(db);
  }
  for (const wakeUp of wakeUps) wakeUp();
  return result;
}

/**
 * outermostTransaction for work that settles later (write-gate.ts writeAsync): the wake-ups
 * queued until `open`'s promise settles run after it fulfils, none if it rejects.
 */
export async function outermostTransactionAsync<T>(db: Db, open: () => Promise<T>): Promise<T> {
  if (pendingWakeUps.has(db)) throw new Error('an outermost transaction is already open');
  const wakeUps: (() => void)[] = [];
  pendingWakeUps.set(db, wakeUps);
  let result: T;
  try {
    result = await open();
  } finally {
    pendingWakeUps.delete(db);
  }
  for (const wakeUp of wakeUps) wakeUp();
  return result;
}

/**
 * Runs `wakeUp` once the outermost transaction of `db` has committed (not at all if it, or the
 * savepoint this was queued in, rolls back), or at once outside a transaction. If it throws, the
 * error goes to `onError` (default: a process warning), never to the writer.
 */
export function afterCommit(
  db: Db,
  wakeUp: () => void,
  onError: WakeUpErrorReporter = warnOfWakeUpFailure,
): void {
  const queue = pendingWakeUps.get(db);
  if (queue) queue.push(() => wakeSafely(wakeUp, onError));
  else wakeSafely(wakeUp, onError);
}

/**
 * Runs `work` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so a busy
 * database fails fast with SQLITE_BUSY instead of deadlocking on a read-to-write upgrade. Inside
 * another transaction it is a savepoint of it; the wake-ups it queued are dropped if it rolls back.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  const queue = pendingWakeUps.get(db);
  if (!queue) return outermostTransaction(db, () => db.transaction(work).immediate());
  const queued = queue.length;
  try {
    return db.transaction(work).immediate();
  } catch (error) {
    queue.length = queued;
    throw error;
  }
}

const maintenanceWindows = new WeakMap<Db, number>();

/**
 * How many times this connection opened the append-only guard (whether or not that committed):
 * a change means stored events may have been rewritten or deleted since (tree-sealer.ts).
 */
export function maintenanceWindowsOpened(db: Db): number {
  return maintenanceWindows.get(db) ?? 0;
}

/** Runs `work` with the append-only guard lifted, inside one write transaction. */
export function inMaintenanceWindow<T>(db: Db, work: () => T): T {
  return writeTransaction(db, () => {
    openMaintenanceWindow(db);
    const result = work();
    closeMaintenanceWindow(db);
    return result;
  });
}

/**
 * Lifts the append-only guard inside the write transaction open on `db`, for work that runs
 * across awaits (an erasure through the store port); closeMaintenanceWindow sets it again, and
 * a rollback undoes both.
 */
export function openMaintenanceWindow(db: Db): void {
  if (!db.inTransaction) throw new Error('a maintenance window opens inside a write transaction');
  maintenanceWindows.set(db, maintenanceWindowsOpened(db) + 1);
  db.prepare('UPDATE maintenance_window SET open = 1 WHERE id = 1').run();
}

export function closeMaintenanceWindow(db: Db): void {
  db.prepare('UPDATE maintenance_window SET open = 0 WHERE id = 1').run();
}

/**
 * Runs synchronous `run` on `db` at a moment no transaction is open on it: at once (in the same
 * call, the check and the work with nothing between them) when none is, else on a later turn.
 * For the code that uses the server's one connection directly (the SQLite engine's reads
 * outside a write, its scrub, engine.exclusive): an asynchronous write's transaction stays open
 * across microtasks, and the write gate's setImmediate guard against it being held longer is
 * best effort (a timer or I/O callback of the same event-loop phase may still run meanwhile),
 * so these look for themselves rather than read that write's uncommitted rows or write into it.
 */
export async function outsideTransactions<T>(db: Db, run: () => T): Promise<T> {
  // An open async write ends by the next check phase (committed, or rolled back by the guard);
  // after that first turn the waits are timers, so a transaction held longer is not spun on.
  for (let turn = 0; db.inTransaction; turn++)
    await new Promise((resolve) => (turn === 0 ? setImmediate(resolve) : setTimeout(resolve, 2)));
  return run();
}
