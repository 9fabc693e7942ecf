import { describe, expect, it } from 'vitest';
import { attemptsWithin, nominalDelayMs, retryDelayMs, retryPolicy } from '../../src/webhooks/backoff.js';
import { computeSignature, signatureHeader, verifySignature } from '../../src/webhooks/signature.js';
import {
  formatPatterns,
  maskUrl,
  parseActionPatterns,
  parseCategories,
  SubscriptionError,
  urlOrigin,
} from '../../src/webhooks/subscription.js';

const SECRET = 'whsec_test-secret-of-some-length';
const NOW = Date.parse('2024-01-15T14:32:18Z');

describe('webhook signatures', () => {
  const body = '{"id":"log_1","action":"user.login"}';

  it('signs t.body with HMAC-SHA256 and verifies it', () => {
    const header = signatureHeader(SECRET, body, NOW);
    const t = Math.floor(NOW / 1000);
    expect(header).toBe(`t=${t},v1=${computeSignature(SECRET, t, body)}`);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(header, body, SECRET, { now: NOW })).toBe(true);
    expect(verifySignature(header, Buffer.from(body), SECRET, { now: NOW + 60_000 })).toBe(true);
  });

  it('refuses a changed body, another secret, a stale or future time, and malformed headers', () => {
    const header = signatureHeader(SECRET, body, NOW);
    expect(verifySignature(header, `${body} `, SECRET, { now: NOW })).toBe(false);
    expect(verifySignature(header, body, 'another-secret-entirely', { now: NOW })).toBe(false);
    expect(verifySignature(header, body, SECRET, { now: NOW + 301_000 })).toBe(false);
    expect(verifySignature(header, body, SECRET, { now: NOW - 301_000 })).toBe(false);
    expect(verifySignature(header, body, SECRET, { now: NOW + 500_000, toleranceSeconds: 600 })).toBe(true);
    for (const bad of [
      undefined,
      '',
      'v1=abc',
      `t=${NOW / 1000}`,
      't=x,v1=00',
      header.replace('v1=', 'v0='),
    ]) {
      expect(verifySignature(bad, body, SECRET, { now: NOW })).toBe(false);
    }
  });

  it('accepts any one of several v1 signatures (secret rotation)', () => {
    const header = signatureHeader(SECRET, body, NOW);
    const t = Math.floor(NOW / 1000);
    const rotated = `t=${t},v1=${computeSignature('old-secret-0123456789', t, body)},${header.split(',')[1]}`;
    expect(verifySignature(rotated, body, SECRET, { now: NOW })).toBe(true);
  });
});

describe('webhook retry schedule', () => {
  it('doubles from the base up to the cap, with ±25 % jitter', () => {
    expect([1, 2, 3, 4].map((n) => nominalDelayMs(n, 30_000, 7_200_000))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
    expect(nominalDelayMs(20, 30_000, 7_200_000)).toBe(7_200_000);
    const policy = retryPolicy();
    expect(retryDelayMs(1, policy, () => 0)).toBe(22_500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(37_500);
  });

  it('gives up after the attempts whose schedule spans about a day', () => {
    expect(retryPolicy()).toEqual({ baseMs: 30_000, capMs: 7_200_000, maxAttempts: 20 });
    const total = Array.from({ length: 19 }, (_, i) => nominalDelayMs(i + 1, 30_000, 7_200_000)).reduce(
      (sum, delay) => sum + delay,
    );
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(total - 7_200_000).toBeLessThan(24 * 3_600_000);
    expect(attemptsWithin(1000, 100, 1000)).toBe(5);
    expect(retryPolicy({ baseMs: 50, maxAttempts: 3 }).maxAttempts).toBe(3);
  });
});

describe('webhook subscriptions', () => {
  it('reads exact actions, prefix patterns and * from comma lists or arrays', () => {
    const patterns = parseActionPatterns([
      'user.login_failed, security.*',
      'tunnel*',
      '*',
      'user.login_failed',
    ]);
    expect(patterns).toEqual([
      { pattern: 'user.login_failed', isPrefix: false },
      { pattern: 'security.', isPrefix: true },
      { pattern: 'tunnel', isPrefix: true },
      { pattern: '', isPrefix: true },
    ]);
    expect(formatPatterns(patterns)).toEqual(['user.login_failed', 'security.*', 'tunnel*', '*']);
  });

  it.each([[''], [' , '], ['User.Login'], ['login'], ['security.*.x'], ['*.login']])(
    'refuses the action list %j',
    (value) => {
      expect(() => parseActionPatterns(value)).toThrow(SubscriptionError);
    },
  );

  it('checks categories', () => {
    expect(parseCategories('auth,security')).toEqual(['auth', 'security']);
    expect(parseCategories(undefined)).toEqual([]);
    expect(() => parseCategories('auth,nope')).toThrow(/unknown category "nope"/);
  });

  it('masks URLs to what is safe to show, and keeps only the origin for the audit log', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe(
      'https://hooks.slack.com/services/…',
    );
    expect(maskUrl('https://example.com/hook-token')).toBe('https://example.com/…');
    expect(maskUrl('https://example.com/?sig=abc')).toBe('https://example.com/…');
    expect(maskUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(urlOrigin('https://hooks.slack.com/services/T0/B0/secret?x=1')).toBe('https://hooks.slack.com');
  });
});
