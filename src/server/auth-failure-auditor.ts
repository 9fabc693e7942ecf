import type { Engine } from '../store/port.js';
import { SYSTEM_ACTOR } from './server-actor.js';

const WINDOW_MS = 60_000;

interface Pending {
  orgId: number;
  ip: string;
  reason: string;
  lastRecordedAt: number;
  count: number;
}

/**
 * Records failed API authentication as `security.api_auth_failed`, at most once a minute per
 * address and reason, with the number of failures it stands for: a password-spraying script
 * is visible without flooding the log it is attacking.
 */
export function createAuthFailureAuditor(
  engine: Engine,
  now: () => number,
  onError: (error: unknown) => void = () => {},
) {
  const pending = new Map<string, Pending>();
  const timer = setInterval(() => flush(false), WINDOW_MS / 4);
  timer.unref();

  /** Never holds up the request: with the lock free it commits at once, else it waits in the gate. */
  function write(entry: Pending): void {
    const count = entry.count;
    entry.lastRecordedAt = now();
    entry.count = 0;
    const event = {
      action: 'security.api_auth_failed',
      actor: SYSTEM_ACTOR,
      context: { ip_address: entry.ip },
      metadata: { reason: entry.reason, count },
    };
    engine
      .write((tx) => tx.recorder.record(entry.orgId, [event]))
      .catch((error: unknown) => {
        // Counted again, so the next write in this window reports these failures too.
        entry.count += count;
        onError(error);
      });
  }

  function flush(all: boolean): void {
    for (const [key, entry] of pending) {
      const due = all || now() - entry.lastRecordedAt >= WINDOW_MS;
      if (entry.count > 0 && due) write(entry);
      else if (entry.count === 0 && now() - entry.lastRecordedAt >= WINDOW_MS) pending.delete(key);
    }
  }

  return {
    report(orgId: number, ip: string, reason: string): void {
      const key = `${orgId}\u0000${ip}\u0000${reason}`;
      const entry = pending.get(key) ?? { orgId, ip, reason, lastRecordedAt: -Infinity, count: 0 };
      pending.set(key, entry);
      entry.count++;
      if (now() - entry.lastRecordedAt >= WINDOW_MS) write(entry);
    },
    /** Writes what is still pending (on shutdown, so no counted failure is lost). */
    close(): void {
      clearInterval(timer);
      flush(true);
    },
  };
}
