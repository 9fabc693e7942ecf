import type Database from 'better-sqlite3';

/** SQLite's answer when another connection holds the lock this one needs. */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Runs `work` with the connection's busy handler off: a lock another connection holds is an
 * immediate SQLITE_BUSY rather than a wait that stops the event loop (callers retry later).
 */
export function withoutBusyWait<T>(db: Database.Database, work: () => T): T {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    return work();
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
