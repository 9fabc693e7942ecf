/** When a failed delivery is tried again, and when it is given up. */
export interface RetryPolicy {
  /** The first retry's nominal delay; each further retry doubles it. */
  baseMs: number;
  capMs: number;
  /** Attempts in all, the first included; the last failure marks the delivery failed. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_BASE_MS = 30_000;
export const DEFAULT_RETRY_CAP_MS = 2 * 3_600_000;
/** Retries go on for about this long before a delivery is marked failed. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

export function nominalDelayMs(failedAttempts: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}

/** The delay after the `failedAttempts`-th failure: exponential, capped, ±25 % jitter so that
 * deliveries that failed together (a receiver outage) do not all come back at once. */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const nominal = nominalDelayMs(failedAttempts, policy.baseMs, policy.capMs);
  return Math.round(nominal * (0.75 + 0.5 * random()));
}

/** The fewest attempts whose nominal schedule spans `windowMs` (20 for 30 s doubling to 2 h, a day). */
export function attemptsWithin(windowMs: number, baseMs: number, capMs: number): number {
  let attempts = 1;
  for (let elapsed = 0; elapsed < windowMs; attempts++) elapsed += nominalDelayMs(attempts, baseMs, capMs);
  return attempts;
}

export function retryPolicy(
  options: { baseMs?: number; capMs?: number; maxAttempts?: number } = {},
): RetryPolicy {
  const baseMs = Math.max(1, options.baseMs ?? DEFAULT_RETRY_BASE_MS);
  const capMs = Math.max(baseMs, options.capMs ?? DEFAULT_RETRY_CAP_MS);
  const maxAttempts = Math.max(1, options.maxAttempts ?? attemptsWithin(RETRY_WINDOW_MS, baseMs, capMs));
  return { baseMs, capMs, maxAttempts };
}
