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
}

const WINDOW_MS = 60_000;

export function createRateLimiter(limitPerMinute: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();

  return {
    /**
     * Counts `units` requests against `key`'s window: at most the whole limit, so that even the
     * costliest request can pass in a fresh window.
     */
    check(key: string, units = 1): RateDecision {
      const time = now();
      let window = windows.get(key);
      if (!window || time - window.start >= WINDOW_MS) {
        if (windows.size > 10_000) dropExpired(time);
        window = { start: time, count: 0 };
        windows.set(key, window);
      }
      window.count += Math.min(units, limitPerMinute);
      const resetSeconds = Math.max(1, Math.ceil((window.start + WINDOW_MS - time) / 1000));
      return {
        allowed: window.count <= limitPerMinute,
        limit: limitPerMinute,
        remaining: Math.max(0, limitPerMinute - window.count),
        resetSeconds,
      };
    },
  };

  function dropExpired(time: number) {
    for (const [key, window] of windows) if (time - window.start >= WINDOW_MS) windows.delete(key);
  }
}
