import { WriteLockTimeoutError } from '../write-gate.js';

/**
 * A write on PostgreSQL waits for a lock (another writer of the organization, a maintenance
 * transaction) at most `lockTimeoutMs`, as a SQLite write waits for the file lock; past it the
 * API answers 503 (WriteLockTimeoutError).
 */

/** The statement that opens such a transaction: the bound holds for it alone (SET LOCAL). */
export function beginWithLockTimeout(lockTimeoutMs: number): string {
  return `BEGIN; SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`;
}

/** lock_not_available (lock_timeout passed) and query_canceled (statement_timeout). */
const LOCK_WAIT_CODES = new Set(['55P03', '57014']);

/** The error as the API should see it: a lock wait that ran out becomes WriteLockTimeoutError. */
export function asWriteLockTimeout(error: unknown, lockTimeoutMs: number): unknown {
  return LOCK_WAIT_CODES.has((error as { code?: string } | null)?.code ?? '')
    ? new WriteLockTimeoutError(lockTimeoutMs)
    : error;
}
