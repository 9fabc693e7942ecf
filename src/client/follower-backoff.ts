/**
 * How a follower (`audit tail`) waits between failed attempts, and which failures end it: a
 * follower keeps trying through an outage of any length, and stops only on answers that
 * retrying cannot change.
 */
import { AuditResponseError } from './errors.js';
import type { ResumeGap } from './resume-gap.js';

/** The first wait after a failure; each failure in a row doubles it, up to the cap. */
export const RECONNECT_BASE_MS = 500;
/** The longest wait between two attempts, unless the server asks for longer (`Retry-After`). */
export const RECONNECT_CAP_MS = 30_000;

/**
 * The wait after the `failure`-th failure in a row: a random time up to 0.5 s, 1 s, 2 s … up to
 * `capMs` (full jitter, as the client's retries): followers cut off together (a server restart)
 * come back spread out, and on average sooner than with fixed steps.
 */
export function reconnectDelayMs(
  failure: number,
  { capMs = RECONNECT_CAP_MS, random = Math.random }: { capMs?: number; random?: () => number } = {},
): number {
  const step = Math.min(capMs, RECONNECT_BASE_MS * 2 ** Math.min(30, Math.max(0, failure - 1)));
  return Math.floor(random() * step);
}

export class FollowerGaveUpError extends Error {
  override readonly name = 'FollowerGaveUpError';
}

export interface BackOffOptions {
  /** Consecutive failures before giving up; `Infinity` (the default) never gives up. */
  maxConsecutiveFailures?: number;
  /** The wait after the `failure`-th failure in a row; by default reconnectDelayMs. */
  delayMs?(failure: number): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
  /** A failed attempt; `first`: nothing has worked yet (tail started while the server was away). */
  onReconnecting?(info: {
    failure: number;
    delayMs: number;
    reason: string;
    first: boolean;
    error?: unknown;
  }): void;
  /**
   * The first working connection (or poll) after failures. `first`: nothing had worked before
   * (tail started while the server was away). `gap` says why events may be missing, if they may.
   */
  onReconnected?(info: { failures: number; first: boolean; gap: ResumeGap | undefined }): void;
}

/** Counts failures in a row and waits between attempts; reports the way back. */
export function createBackOff(options: BackOffOptions) {
  const max = options.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY;
  const delayMs = options.delayMs ?? reconnectDelayMs;
  // Failures in a row in this state, toward the limit; and since anything last worked, in any state.
  let failures = 0;
  let failuresAway = 0;
  let connectedBefore = false;
  return {
    /** A change of state (stream to polling): a new count toward the limit. */
    reset() {
      failures = 0;
    },
    /** It works again: says so once after failures. */
    recovered(gap: ResumeGap | undefined) {
      if (failuresAway > 0) options.onReconnected?.({ failures: failuresAway, first: !connectedBefore, gap });
      failures = 0;
      failuresAway = 0;
      connectedBefore = true;
    },
    get connectedBefore() {
      return connectedBefore;
    },
    async failed(reason: string, attempts: 'reconnects' | 'polls', error?: unknown): Promise<void> {
      failures++;
      failuresAway++;
      if (failures > max) throw new FollowerGaveUpError(`gave up after ${max} failed ${attempts}: ${reason}`);
      const ms = askedDelayMs(error) ?? delayMs(failures);
      options.onReconnecting?.({ failure: failures, delayMs: ms, reason, first: !connectedBefore, error });
      await options.sleep(ms, options.signal);
    },
  };
}

export type BackOff = ReturnType<typeof createBackOff>;

/** The wait a 429 or 503 asked for with `Retry-After`. */
function askedDelayMs(error: unknown): number | undefined {
  const { status, retryAfterMs } = (error ?? {}) as { status?: number; retryAfterMs?: number };
  return (status === 429 || status === 503) && typeof retryAfterMs === 'number' ? retryAfterMs : undefined;
}

// Statuses meaning "this server has no stream": fall back to polling rather than retrying. A
// 404 may also mean the organization is gone: the list API's own 404 then ends the polling.
const STREAM_UNAVAILABLE = new Set([404, 405, 406, 501]);
// A request refused as given, or a token refused or not permitted: retrying changes nothing.
const FINAL_STATUSES = new Set([400, 401, 403]);

/** What to do after a stream failed to open. */
export type OpenFailure = 'retry' | 'poll' | 'forget-position' | 'give-up';

export function onStreamOpenFailure(error: unknown, resumedFromPosition: boolean): OpenFailure {
  // A 200 that is no event stream (a proxy's page) will not become one by retrying.
  if (error instanceof AuditResponseError) return 'give-up';
  const { status, problem } = error as { status?: number; problem?: { param?: unknown } };
  if (status === undefined) return 'retry';
  // The server does not know the position: another database now answers at this address.
  if (status === 400 && resumedFromPosition && problem?.param === 'Last-Event-ID') return 'forget-position';
  if (STREAM_UNAVAILABLE.has(status)) return 'poll';
  return FINAL_STATUSES.has(status) ? 'give-up' : 'retry';
}

/** A poll that failed so will fail again: a refusal, a missing organization, an answer that is no list. */
export function isFinalPollFailure(error: unknown): boolean {
  if (error instanceof AuditResponseError) return true;
  const { status } = error as { status?: number };
  return status !== undefined && (FINAL_STATUSES.has(status) || status === 404);
}
