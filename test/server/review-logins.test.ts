import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, event, HOUR, ingestAll, MINUTE, ofRule, reviewOf } from '../helpers/review-fixture.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const ATTACKER = '198.51.100.7';
/** `count` failed sign-ins from `ip`, `gapMs` apart from T0 + startMs, each guessing another person. */
const failures = (count: number, gapMs: number, ip = ATTACKER, startMs = 0, sameUser = false) =>
  Array.from({ length: count }, (_, i) =>
    event('user.login_failed', startMs + i * gapMs, {
      ip,
      email: sameUser ? 'bob@example.com' : `guess${i}@example.com`,
    }),
  );

describe('security review: sign-in rules', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('failed_logins: ten failures are low, with a dense day chart and the addresses counted', async () => {
    await ingestAll(fixture, failures(10, 3 * HOUR));
    const [found] = ofRule(await reviewOf(fixture), 'failed_logins');
    expect(found).toMatchObject({ severity: 'low', events_total: 10 });
    expect(found?.counts).toMatchObject({ failed: 10, [`ip ${ATTACKER}`]: 10 });
    expect(found?.chart).toMatchObject({ kind: 'time', bucket: 'day' });
    expect(found?.chart?.kind === 'time' && found.chart.points.map((p) => p.at)).toEqual([
      '2025-06-01',
      '2025-06-02',
      '2025-06-03',
      '2025-06-04',
    ]);
  });

  it('failed_logins: nine failures are only info, and no failures no finding', async () => {
    await ingestAll(fixture, failures(9, 3 * HOUR));
    expect(ofRule(await reviewOf(fixture), 'failed_logins')).toMatchObject([{ severity: 'info' }]);
    expect(ofRule(await reviewOf(fixture, { fromMs: 5 * DAY, toMs: 6 * DAY }), 'failed_logins')).toEqual([]);
  });

  it('login_burst: ten failures from one address within ten minutes are one medium finding', async () => {
    await ingestAll(fixture, [...failures(10, MINUTE), ...failures(12, 30_000, ATTACKER, 6 * MINUTE)]);
    const bursts = ofRule(await reviewOf(fixture), 'login_burst');
    // Overlapping windows merge: one burst of 22.
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ severity: 'medium', counts: { failed: 22 }, events_total: 22 });
    expect(bursts[0]?.queries).toEqual([
      expect.objectContaining({ ip: ATTACKER, action: 'user.login_failed' }),
    ]);
  });

  it('login_burst: ten failures for one person from ten addresses within ten minutes', async () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      event('user.login_failed', i * MINUTE, { ip: `192.0.2.${i + 1}`, email: 'bob@example.com' }),
    );
    await ingestAll(fixture, events);
    expect(ofRule(await reviewOf(fixture), 'login_burst')).toMatchObject([
      {
        severity: 'medium',
        counts: { failed: 10, ips: 10 },
        id: expect.stringContaining('user:bob@example.com'),
      },
    ]);
  });

  it('login_burst: nine failures, or ten spread over eleven minutes, are no burst', async () => {
    await ingestAll(fixture, [
      ...failures(9, 30_000),
      ...failures(10, (11 * MINUTE) / 9, '192.0.2.99', 3 * HOUR),
      ...failures(9, MINUTE, '192.0.2.98', 6 * HOUR, true),
    ]);
    expect(ofRule(await reviewOf(fixture), 'login_burst')).toEqual([]);
  });

  it('brute_force_succeeded: a burst, a sign-in from the same address, and what followed, in one high finding', async () => {
    const burst = failures(10, 30_000);
    const after = [
      event('user.login', 40 * MINUTE, { ip: ATTACKER }),
      event('security.api_token_created', 45 * MINUTE, { ip: ATTACKER }),
      event('tunnel.deleted', 50 * MINUTE, { ip: ATTACKER }),
      event('tunnel.deleted', 51 * MINUTE, { ip: '203.0.113.10' }),
    ];
    await ingestAll(fixture, [...burst, ...after]);
    const review = await reviewOf(fixture);
    const [found] = ofRule(review, 'brute_force_succeeded');
    const stored = (
      await fixture.request({
        method: 'GET',
        url: `/api/v1/organizations/default/audit-logs?ip=${ATTACKER}&order=asc`,
      })
    ).json().data as { id: string }[];
    expect(found).toMatchObject({
      severity: 'high',
      counts: { failed: 10, succeeded: 1, after: 2 },
      events_total: 13,
    });
    expect(found?.event_ids).toEqual(stored.map((e) => e.id));
    expect(found?.queries).toEqual([{ ip: ATTACKER, from: burst[0]?.timestamp, to: after[2]?.timestamp }]);
    // The burst is in the high finding, not again as login_burst; the token not again either.
    expect(ofRule(review, 'login_burst')).toEqual([]);
    expect(ofRule(review, 'token_after_suspicious_login')).toEqual([]);
    expect(review.findings[0]?.rule).toBe('brute_force_succeeded');
  });

  it('brute_force_succeeded: a success from another address, or more than an hour later, is none', async () => {
    await ingestAll(fixture, [
      ...failures(10, 30_000),
      event('user.login', 20 * MINUTE, { ip: '203.0.113.10' }),
      event('user.login', 5 * MINUTE + HOUR + MINUTE, { ip: ATTACKER }),
    ]);
    const review = await reviewOf(fixture);
    expect(ofRule(review, 'brute_force_succeeded')).toEqual([]);
    expect(ofRule(review, 'login_burst')).toHaveLength(1);
  });

  it('new_login_ip: a sign-in from an address the person did not use in the 30 days before', async () => {
    await ingestAll(fixture, [
      event('user.login', -10 * DAY, { ip: '203.0.113.10' }),
      event('user.login', HOUR, { ip: '192.0.2.44' }),
      event('user.login', 2 * HOUR, { ip: '192.0.2.44' }),
    ]);
    expect(ofRule(await reviewOf(fixture), 'new_login_ip')).toMatchObject([
      { severity: 'low', summary: expect.stringContaining('192.0.2.44'), events_total: 1 },
    ]);
  });

  it('new_login_ip: a known address, or a person with no sign-in in the 30 days before, is none', async () => {
    await ingestAll(fixture, [
      event('user.login', -10 * DAY, { ip: '203.0.113.10' }),
      event('user.login', HOUR, { ip: '203.0.113.10' }),
      event('user.login', -31 * DAY, { ip: '203.0.113.20', email: 'carol@example.com' }),
      event('user.login', HOUR, { ip: '192.0.2.45', email: 'carol@example.com' }),
      event('user.login', HOUR, { ip: '192.0.2.46', email: 'dan@example.com' }),
    ]);
    expect(ofRule(await reviewOf(fixture), 'new_login_ip')).toEqual([]);
  });

  it('token_after_suspicious_login: a token within the hour after an unusual-location sign-in is high', async () => {
    await ingestAll(fixture, [
      event(
        'security.unusual_login_location',
        0,
        { ip: '192.0.2.50' },
        { metadata: { location: 'Elsewhere' } },
      ),
      event(
        'security.api_token_created',
        30 * MINUTE,
        { ip: '203.0.113.10' },
        { target: { type: 'api_token', id: 'tok_1', name: 'ci' } },
      ),
    ]);
    expect(ofRule(await reviewOf(fixture), 'token_after_suspicious_login')).toMatchObject([
      { severity: 'high', counts: { tokens: 1 }, summary: expect.stringContaining('unusual location') },
    ]);
  });

  it('token_after_suspicious_login: a token 61 minutes later, or by someone else, is none', async () => {
    await ingestAll(fixture, [
      event('security.unusual_login_location', 0, { ip: '192.0.2.50' }),
      event('security.api_token_created', 61 * MINUTE),
      event('security.api_token_created', 10 * MINUTE, { email: 'carol@example.com' }),
    ]);
    const review = await reviewOf(fixture);
    expect(ofRule(review, 'token_after_suspicious_login')).toEqual([]);
    expect(ofRule(review, 'api_tokens')).toMatchObject([
      { severity: 'info', counts: { created: 2, revoked: 0 } },
    ]);
  });
});
