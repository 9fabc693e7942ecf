import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { DAY, event, HOUR, ingestAll, MINUTE, ofRule, reviewOf } from '../helpers/review-fixture.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const REVIEW = '/api/v1/organizations/default/audit-logs/review';
/** As long as an actor's email may be (320); addresses are cut to their 64. */
const HUGE = `x${'\u202e'.repeat(10)}${'a'.repeat(309)}`;
const CONTROL = 'evil\u001b]52;c;Y2F0\u0007\r\n\u0000@example.com';
const HOSTILE_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', HUGE, CONTROL];

describe('security review: who may ask, and hostile events', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('is refused to team admins, members and ingest tokens (403), and to other organizations (404)', async () => {
    for (const role of ['teamAdmin', 'member', 'ingest'] as const) {
      const response = await fixture.request({ method: 'GET', url: REVIEW, token: fixture.tokens[role] });
      expect(response.statusCode, role).toBe(403);
    }
    const other = await fixture.request({ method: 'GET', url: REVIEW, token: fixture.tokens.otherOrg });
    expect(other.statusCode).toBe(404);
    for (const token of [fixture.tokens.owner, fixture.tokens.admin]) {
      expect((await fixture.request({ method: 'GET', url: REVIEW, token })).statusCode).toBe(200);
    }
  });

  it('names the bad parameter: tz, since with from, an empty range', async () => {
    const bad = async (query: string, param: string) => {
      const response = await fixture.request({ method: 'GET', url: `${REVIEW}?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().param, query).toBe(param);
    };
    await bad('tz=Mars/Olympus', 'tz');
    await bad('tz=__proto__', 'tz');
    await bad('since=7d&from=2025-01-01', 'since');
    await bad('from=2025-02-01&to=2025-01-01', 'to');
    await bad('since=forever', 'since');
  });

  it('DoS: a review over centuries is refused (400 naming from) before any work, not a 20 MB answer after seconds of blocked event loop', async () => {
    const started = Date.now();
    const response = await fixture.request({
      method: 'GET',
      url: `${REVIEW}?from=1000-01-01&to=3000-01-01&tz=Europe/Berlin`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().param).toBe('from');
    expect(response.json().detail).toContain('366 days');
    expect(Date.now() - started).toBeLessThan(1000);
    const since = await fixture.request({ method: 'GET', url: `${REVIEW}?since=999999w` });
    expect(since.statusCode).toBe(400);
    expect(since.json().param).toBe('since');
    // A year (a leap year's too) is still one review.
    const year = await fixture.request({ method: 'GET', url: `${REVIEW}?from=2024-01-01&to=2024-12-31` });
    expect(year.statusCode).toBe(200);
  });

  it('flood: 200 decoy login bursts from addresses that sort first do not hide a brute force that succeeded', async () => {
    const events: EventInput[] = [];
    const base = 10 * DAY;
    for (let n = 0; n < 200; n++)
      for (let i = 0; i < 10; i++)
        events.push(
          event('user.login_failed', base + n * 1000 + i, {
            ip: `10.0.${n >> 8}.${n & 255}`,
            email: `decoy${n}@example.com`,
          }),
        );
    // The real attack, later and from an address that sorts after every decoy.
    for (let i = 0; i < 10; i++)
      events.push(
        event('user.login_failed', base + HOUR + i * 1000, { ip: '203.0.113.99', email: 'ceo@example.com' }),
      );
    events.push(
      event('user.login', base + HOUR + 30 * MINUTE, { ip: '203.0.113.99', email: 'ceo@example.com' }),
    );
    await ingestAll(fixture, events);
    const review = await reviewOf(fixture, { fromMs: base - HOUR, toMs: base + 3 * HOUR });
    const high = ofRule(review, 'brute_force_succeeded');
    expect(high.map((found) => found.queries[0]?.ip)).toEqual(['203.0.113.99']);
  });

  it('defaults to the last 7 days in UTC', async () => {
    const review = await reviewOf(fixture, { query: '' });
    expect(Date.parse(review.to) - Date.parse(review.from)).toBe(7 * DAY);
    expect(review.time_zone).toBe('UTC');
  });

  it('hostile actors, addresses and roles (prototype keys, huge and control text) never crash the review nor escalate wrongly', async () => {
    const events: EventInput[] = [];
    HOSTILE_NAMES.forEach((name, n) => {
      const ip = name.slice(0, 64);
      const start = n * 3 * 60 * MINUTE;
      // A burst from the name as an address, for the name as a person, and a sign-in after it.
      for (let i = 0; i < 10; i++)
        events.push(event('user.login_failed', start + i * 1000, { ip, email: name }));
      events.push(event('user.login', start + 20 * MINUTE, { ip, email: name }));
      events.push(event('security.api_token_created', start + 25 * MINUTE, { ip, email: name }));
      for (let i = 0; i < 5; i++)
        events.push(event('tunnel.deleted', start + 30 * MINUTE + i * 1000, { ip, email: name }));
      // The person first "made OWNER " by a forged event, then making someone admin.
      events.push(
        event(
          'team.member_role_changed',
          start + 40 * MINUTE,
          { email: 'mia@example.com' },
          {
            target: { type: 'user', name },
            changes: { role: { old: 'member', new: 'OWNER ' } },
          },
        ),
        event(
          'team.member_role_changed',
          start + 50 * MINUTE,
          { email: name },
          {
            target: { type: 'user', name: `victim${n}@example.com` },
            changes: { role: { old: 'member', new: 'admin' } },
          },
        ),
        event(
          'team.member_added',
          start + 55 * MINUTE,
          { email: name },
          {
            target: { type: 'user', name: `other${n}@example.com` },
            metadata: { role: `${name}${'r'.repeat(60_000)}` },
          },
        ),
        event(
          'team.member_invited',
          start + 56 * MINUTE,
          { email: name },
          {
            target: { type: 'user', name: `third${n}@example.com` },
            metadata: { role: { __proto__: 'owner' } as unknown as string },
          },
        ),
      );
    });
    await ingestAll(fixture, events);
    const review = await reviewOf(fixture, { fromMs: -DAY, toMs: 2 * DAY });
    // Every name's burst, sign-in and what followed is one high finding.
    expect(ofRule(review, 'brute_force_succeeded')).toHaveLength(HOSTILE_NAMES.length);
    expect(ofRule(review, 'destructive_burst')).toHaveLength(HOSTILE_NAMES.length);
    const escalations = ofRule(review, 'role_escalation');
    // Mia (a member) making someone "OWNER " is an escalation, and high.
    expect(
      escalations.filter((f) => f.severity === 'high' && f.summary.startsWith('mia@example.com')),
    ).toHaveLength(HOSTILE_NAMES.length);
    // A forged "OWNER " never makes its holder an owner: their own escalations stay medium, never low.
    const byHostile = escalations.filter((f) => !f.summary.startsWith('mia@example.com'));
    expect(byHostile.length).toBe(HOSTILE_NAMES.length);
    expect(byHostile.every((f) => f.severity === 'medium')).toBe(true);
    // Counts keyed by hostile text are own keys, not prototype changes.
    const [failed] = ofRule(review, 'failed_logins');
    expect(Object.keys(failed?.counts ?? {})).toContain('ip __proto__');
    expect(failed?.counts['actor __proto__']).toBe(10);
    // Summaries quote attacker text cut short.
    expect(review.findings.every((f) => f.summary.length < 1000)).toBe(true);
  });
});
