import { describe, expect, it } from 'vitest';
import {
  BACKOFF_CAP_MS,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  RETRY_ATTEMPTS,
  retryDelayMs,
} from '../../src/client/retry.js';

describe('isRetryableStatus', () => {
  it('retries exactly 429, 502, 503 and 504', () => {
    const retryable = [];
    for (let status = 100; status < 600; status++) if (isRetryableStatus(status)) retryable.push(status);
    expect(retryable).toEqual([429, 502, 503, 504]);
  });
});

describe('isRetryableNetworkError', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
  ])('retries %s', (code) => {
    expect(isRetryableNetworkError(withCode(code))).toBe(true);
  });

  it('finds the code in a cause chain and in an AggregateError', () => {
    expect(isRetryableNetworkError(new Error('fetch failed', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isRetryableNetworkError(new AggregateError([withCode('ECONNREFUSED')], 'all failed'))).toBe(true);
  });

  it('does not retry other failures or aborts', () => {
    expect(isRetryableNetworkError(withCode('ENOTFOUND'))).toBe(false);
    expect(isRetryableNetworkError(withCode('CERT_HAS_EXPIRED'))).toBe(false);
    expect(isRetryableNetworkError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isRetryableNetworkError(new Error('plain'))).toBe(false);
    expect(isRetryableNetworkError(undefined)).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const never = () => {
    throw new Error('backoff must not be used when Retry-After is given');
  };

  it('honours Retry-After in seconds', () => {
    expect(retryDelayMs({ attempt: 0, retryAfter: '0', random: never })).toBe(0);
    expect(retryDelayMs({ attempt: 5, retryAfter: '3', random: never })).toBe(3000);
    expect(retryDelayMs({ attempt: 0, retryAfter: ['2'], random: never })).toBe(2000);
  });

  it('honours Retry-After as an HTTP date', () => {
    const now = Date.parse('2024-01-15T14:32:18.000Z');
    const retryAfter = new Date(now + 7000).toUTCString();
    expect(retryDelayMs({ attempt: 0, retryAfter, random: never, now })).toBe(7000);
    const past = new Date(now - 60_000).toUTCString();
    expect(retryDelayMs({ attempt: 0, retryAfter: past, random: never, now })).toBe(0);
  });

  it('caps a long Retry-After', () => {
    expect(retryDelayMs({ attempt: 0, retryAfter: '86400', random: never })).toBe(RETRY_AFTER_CAP_MS);
    expect(RETRY_AFTER_CAP_MS).toBe(120_000);
  });

  it('falls back to backoff when Retry-After is unreadable', () => {
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(retryDelayMs({ attempt: 0, retryAfter: 'soon', random: () => 0.5 })).toBe(250);
  });

  it('uses full jitter between 0 and min(20 s, 0.5 s × 2^attempt)', () => {
    const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000];
    ceilings.forEach((ceiling, attempt) => {
      expect(retryDelayMs({ attempt, random: () => 0 })).toBe(0);
      const high = retryDelayMs({ attempt, random: () => 0.999 });
      expect(high).toBeLessThan(ceiling);
      expect(high).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.999));
    });
  });

  it('never waits longer than the 20 s cap', () => {
    expect(BACKOFF_CAP_MS).toBe(20_000);
    for (const attempt of [6, 7, 10, 30, 1000]) {
      expect(retryDelayMs({ attempt, random: () => 0.999999 })).toBeLessThan(20_000);
      expect(retryDelayMs({ attempt, random: () => 0.999999 })).toBeGreaterThan(19_990);
    }
  });

  it('counts attempts in total: 3 interactive, 8 bulk', () => {
    expect(RETRY_ATTEMPTS).toEqual({ interactive: 3, bulk: 8 });
  });
});
