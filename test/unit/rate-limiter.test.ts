import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/server/rate-limiter.js';

describe('the rate limiter', () => {
  const clock = () => {
    let time = 1_000_000;
    return { now: () => time, advance: (ms: number) => (time += ms) };
  };

  it('check counts a request even when it refuses it', () => {
    const { now } = clock();
    const limiter = createRateLimiter(2, now);
    expect(limiter.check('k').allowed).toBe(true);
    expect(limiter.check('k').allowed).toBe(true);
    expect(limiter.check('k').allowed).toBe(false);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('take charges only what fits, and a refusal costs nothing', () => {
    const { now, advance } = clock();
    const limiter = createRateLimiter(3, now);
    expect(limiter.check('k', 2)).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.take('k', 2)).toMatchObject({ allowed: false, remaining: 1 });
    expect(limiter.take('k', 2)).toMatchObject({ allowed: false, remaining: 1 });
    expect(limiter.take('k', 1)).toMatchObject({ allowed: true, remaining: 0 });
    advance(30_000);
    expect(limiter.take('k')).toMatchObject({ allowed: false, resetMs: 30_000, resetSeconds: 30 });
    advance(30_000);
    expect(limiter.take('k')).toMatchObject({ allowed: true, remaining: 2, resetMs: 60_000 });
    // Keys are apart.
    expect(limiter.take('other', 3).allowed).toBe(true);
  });

  it('takes a shorter window when told (tests only)', () => {
    const { now, advance } = clock();
    const limiter = createRateLimiter(1, now, { windowMs: 200 });
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k')).toMatchObject({ allowed: false, resetMs: 200, resetSeconds: 1 });
    advance(200);
    expect(limiter.take('k').allowed).toBe(true);
  });
});
