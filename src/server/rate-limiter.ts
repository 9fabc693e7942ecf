/**
 * Fixed one-minute windows per key (a token, or a client address before authentication).
 * Enough to stop a runaway script and cheap enough to run on every request. A costly request
 * (a large batch, a long search) counts as several: see domain/request-limits.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

const WINDOW_MS = 60_000;

export interface RateLimiterOptions {
  /** The window's length; a minute unless a test shortens it (no flag or variable sets it). */
  windowMs?: number;
}

export function createRateLimiter(
  limitPerMinute: number,
  now: () => number,
  options: RateLimiterOptions = {},
) {
  const windowMs = options.windowMs ?? WINDOW_MS;
  const windows = new Map<string, { start: number; count: number }>();

  /** The key's current window, a fresh one once the last has run out. */
  function windowOf(key: string, time: number) {
    let window = windows.get(key);
    if (!window || time - window.start >= windowMs) {
      if (windows.size > 10_000) dropExpired(time);
      window = { start: time, count: 0 };
      windows.set(key, window);
    }
    return window;
  }

  function decision(window: { start: number; count: number }, time: number, allowed: boolean): RateDecision {
    const resetMs = Math.max(0, window.start + windowMs - time);
    return {
      allowed,
      limit: limitPerMinute,
      remaining: Math.max(0, limitPerMinute - window.count),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
      resetMs,
    };
  }

  return {
    /**
     * Counts `units` requests against `key`'s window, allowed or not: at most the whole limit,
     * so that even the costliest request can pass in a fresh window.
     */
    check(key: string, units = 1): RateDecision {
      const time = now();
      const window = windowOf(key, time);
      window.count += Math.min(units, limitPerMinute);
      return decision(window, time, window.count <= limitPerMinute);
    },

    /**
     * Counts `units` against `key`'s window only if they fit in what is left of it; refused,
     * they cost nothing (a paused export waits for the window to reset and asks again).
     */
    take(key: string, units = 1): RateDecision {
      const time = now();
      const window = windowOf(key, time);
      const cost = Math.min(units, limitPerMinute);
      const allowed = window.count + cost <= limitPerMinute;
      if (allowed) window.count += cost;
      return decision(window, time, allowed);
    },
  };

  function dropExpired(time: number) {
    for (const [key, window] of windows) if (time - window.start >= windowMs) windows.delete(key);
  }
}

/**
 * What the server counts requests with: this process's windows (createRateLimiter), or windows
 * in a database that several instances share, whose answers come back asynchronously.
 */
export interface RateLimiter {
  check(key: string, units?: number): RateDecision | Promise<RateDecision>;
  take(key: string, units?: number): RateDecision | Promise<RateDecision>;
}
