import type { NoteSigner } from '../domain/signed-note.js';
import type { Engine } from './port.js';

/** A rate-limit decision as the server's limiter answers it (src/server/rate-limiter.ts). */
export interface SharedRateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
  resetMs: number;
}

/** Rate-limit windows that every instance on the database counts in. */
export interface SharedRateLimiter {
  check(key: string, units?: number): Promise<SharedRateDecision>;
  take(key: string, units?: number): Promise<SharedRateDecision>;
}

/**
 * A database that several server instances share (PostgreSQL): the engine, and what a SQLite
 * server keeps beside its file or in its one process, kept in the database instead so that every
 * instance agrees: the checkpoint signing key, the rate-limit windows, and word of each other's
 * commits.
 */
export interface SharedServerDatabase {
  engine: Engine;
  /** The one checkpoint signing key of every instance. */
  logKey: NoteSigner;
  createLimiter(limitPerMinute: number, now: () => number, options: { windowMs?: number }): SharedRateLimiter;
  /**
   * Calls `changed` after each commit of this instance that stored events, and when another
   * instance's commit to an organization in `orgIds()` (those followed here) is heard of or
   * polled; at most once per poll period late when a notification is lost.
   */
  watch(changed: () => void, orgIds: () => readonly number[]): void;
  close(): Promise<void>;
}
