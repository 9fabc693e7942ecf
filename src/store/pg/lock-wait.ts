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
/**
 * deadlock_detected and serialization_failure: the transaction lost to a concurrent one and was
 * rolled back whole, so the client may send the same request again.
 */
const CONFLICT_CODES = new Set(['40P01', '40001']);

/**
 * A write rolled back because a concurrent one won: retryable. Its code is WriteLockTimeoutError's,
 * so the API answers it the same way (503 with Retry-After).
 */
export class WriteConflictError extends Error {
  override readonly name = 'WriteConflictError';
  readonly code = 'SQLITE_BUSY';
  constructor() {
    super('the write met a concurrent write of the same rows and was rolled back; try again');
  }
}

/**
 * The error as the API should see it: a lock wait that ran out becomes WriteLockTimeoutError, a
 * deadlock or serialization failure its WriteConflictError (both 503 with Retry-After).
 */
export function asWriteLockTimeout(error: unknown, lockTimeoutMs: number): unknown {
  const code = (error as { code?: string } | null)?.code ?? '';
  if (LOCK_WAIT_CODES.has(code)) return new WriteLockTimeoutError(lockTimeoutMs);
  if (CONFLICT_CODES.has(code)) return new WriteConflictError();
  return error;
}
