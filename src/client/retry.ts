/** Attempts in total (not retries): SPEC "Retries". */
export const RETRY_ATTEMPTS = { interactive: 3, bulk: 8 } as const;

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 20_000;
// A server may ask for a long pause; beyond this, the user is better served by a failure.
export const RETRY_AFTER_CAP_MS = 120_000;

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** 429, 502, 503 and 504 are worth another attempt; every other status is an answer. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The error's code (ECONNREFUSED, UND_ERR_SOCKET…), looking through `cause` chains and the
 * AggregateError Node raises when every address of a host refused.
 */
export function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** A failure to connect, or a connection that broke or went silent: worth another attempt. */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * Milliseconds a `Retry-After` header asks for (delay-seconds or an HTTP date), capped;
 * undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  header: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, Math.round(ms)));
}

export interface RetryDelayInput {
  /** 0 for the wait after the first failed attempt, 1 after the second, and so on. */
  attempt: number;
  /** The answer's `Retry-After` header, if any: it wins over backoff. */
  retryAfter?: string | string[] | undefined;
  random?: () => number;
  now?: number;
}

/** How long to wait before the next attempt: the server's `Retry-After`, else full-jitter backoff. */
export function retryDelayMs({ attempt, retryAfter, random = Math.random, now }: RetryDelayInput): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return asked;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
