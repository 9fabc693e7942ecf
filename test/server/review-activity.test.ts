import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf, engineOf } from '../helpers/admin.js';
import { DAY, event, HOUR, ingestAll, MINUTE, ofRule, reviewOf } from '../helpers/review-fixture.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

const roleChange = (
  offsetMs: number,
  actor: string,
  target: string,
  role: unknown,
  action = 'team.member_role_changed',
) =>
  event(
    action,
    offsetMs,
    { email: actor },
    {
      target: { type: 'user', name: target },
      changes:
        action === 'team.member_role_changed' ? { role: { old: 'member', new: role as string } } : null,
      metadata: action === 'team.member_role_changed' ? null : { role: role as string },
    },
  );

describe('security review: roles, tokens, activity and the log', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000, webhookAllowPrivate: true });
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('role_escalation: high by a member, info (listed, no alert) by an owner, medium by someone unknown (the directory and earlier role events decide)', async () => {
    await ingestAll(fixture, [
      roleChange(0, 'mia@example.com', 'eve@example.com', 'admin'),
      roleChange(MINUTE, 'alice@example.com', 'frank@example.com', 'owner', 'team.member_added'),
      roleChange(2 * MINUTE, 'stranger@example.net', 'gus@example.com', 'admin', 'team.member_invited'),
      // An earlier role event outranks the directory: Eve was made owner, so her escalation is info.
      roleChange(3 * MINUTE, 'alice@example.com', 'eve@example.com', 'owner'),
      roleChange(4 * MINUTE, 'eve@example.com', 'hal@example.com', 'admin'),
      event(
        'organization.owner_transferred',
        5 * MINUTE,
        { email: 'olga@example.com' },
        { target: { type: 'user', name: 'ivy@example.com' } },
      ),
    ]);
    const found = ofRule(await reviewOf(fixture), 'role_escalation');
    const severityOf = (target: string) => found.find((f) => f.summary.includes(target))?.severity;
    expect(severityOf('eve@example.com admin')).toBe('high');
    expect(severityOf('frank@example.com')).toBe('info');
    expect(severityOf('gus@example.com')).toBe('medium');
    expect(severityOf('hal@example.com')).toBe('info');
    // Olga is an organization admin, not an owner.
    expect(severityOf('ivy@example.com')).toBe('high');
    // Alice making Eve owner is an escalation too (by an owner).
    expect(found).toHaveLength(6);
  });

  it('role_escalation: a change to member, a demotion, or a role that is no role is none', async () => {
    await ingestAll(fixture, [
      roleChange(0, 'mia@example.com', 'eve@example.com', 'member'),
      event(
        'team.member_role_changed',
        MINUTE,
        { email: 'mia@example.com' },
        {
          target: { type: 'user', name: 'olga@example.com' },
          changes: { role: { old: 'admin', new: 'member' } },
        },
      ),
      roleChange(2 * MINUTE, 'mia@example.com', 'gus@example.com', 'administrator'),
      roleChange(3 * MINUTE, 'mia@example.com', 'gus@example.com', 'viewer', 'team.member_invited'),
    ]);
    expect(ofRule(await reviewOf(fixture), 'role_escalation')).toEqual([]);
  });

  it('api_tokens: created and revoked counted in one info finding; none without token events', async () => {
    await ingestAll(fixture, [
      event('security.api_token_created', 0),
      event('security.api_token_created', HOUR),
      event('security.api_token_revoked', 2 * HOUR),
      event('security.api_token_scope_changed', 3 * HOUR),
    ]);
    expect(ofRule(await reviewOf(fixture), 'api_tokens')).toMatchObject([
      { severity: 'info', counts: { created: 2, revoked: 1 }, events_total: 3 },
    ]);
    expect(ofRule(await reviewOf(fixture, { fromMs: 5 * DAY, toMs: 6 * DAY }), 'api_tokens')).toEqual([]);
  });

  const workdays = (email: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      event('tunnel.started', -29 * DAY + i * DAY + (i % 8) * HOUR - 3 * HOUR, { email }),
    );

  it('unusual_hour: activity at an hour never used in the 30 days before, by someone with 20 events then', async () => {
    // Baseline 09:00–16:00 UTC; then a 03:00 sign-in inside the range.
    await ingestAll(fixture, [...workdays('bob@example.com', 20), event('tunnel.deleted', 15 * HOUR)]);
    const found = ofRule(await reviewOf(fixture, { fromMs: 0, toMs: DAY }), 'unusual_hour');
    expect(found).toMatchObject([
      { severity: 'low', counts: { events: 1, hours: 1 }, summary: expect.stringContaining('03:00 (UTC)') },
    ]);
    // In Tokyo the same moments are 18:00–01:00 and noon: another hour, still unused.
    const tokyo = await reviewOf(fixture, {
      query: `from=${new Date(Date.UTC(2025, 5, 2, 12)).toISOString()}&to=${new Date(Date.UTC(2025, 5, 3, 12)).toISOString()}&tz=Asia/Tokyo`,
    });
    expect(ofRule(tokyo, 'unusual_hour')[0]?.summary).toContain('12:00 (Asia/Tokyo)');
  });

  it('unusual_hour: 19 baseline events, or a usual hour, is none', async () => {
    await ingestAll(fixture, [
      ...workdays('bob@example.com', 19),
      event('tunnel.deleted', 15 * HOUR),
      ...workdays('carol@example.com', 25),
      event('tunnel.deleted', 22 * HOUR, { email: 'carol@example.com' }),
    ]);
    expect(ofRule(await reviewOf(fixture, { fromMs: 0, toMs: DAY }), 'unusual_hour')).toEqual([]);
  });

  it('destructive_burst: five deletions or removals by one person within ten minutes', async () => {
    const actions = [
      'tunnel.deleted',
      'subdomain.removed',
      'tunnel.deleted',
      'custom_domain.removed',
      'team.deleted',
    ];
    await ingestAll(
      fixture,
      actions.map((action, i) => event(action, i * 2 * MINUTE)),
    );
    expect(ofRule(await reviewOf(fixture), 'destructive_burst')).toMatchObject([
      { severity: 'medium', counts: { destructive: 5, actions: 4 }, events_total: 5 },
    ]);
  });

  it('destructive_burst: five over eleven minutes, four within one, or five by five people, is none', async () => {
    await ingestAll(fixture, [
      ...Array.from({ length: 5 }, (_, i) => event('tunnel.deleted', i * 2.75 * MINUTE)),
      ...Array.from({ length: 4 }, (_, i) => event('tunnel.deleted', 3 * HOUR + i * 1000)),
      ...Array.from({ length: 5 }, (_, i) =>
        event('tunnel.deleted', 6 * HOUR + i * 1000, { email: `p${i}@example.com` }),
      ),
      ...Array.from({ length: 5 }, (_, i) => event('team.member_removed', 9 * HOUR + i * 1000)),
    ]);
    expect(ofRule(await reviewOf(fixture), 'destructive_burst')).toEqual([]);
  });

  const steadyMonth = (perDay: number) =>
    Array.from({ length: 30 * perDay }, (_, i) =>
      event('tunnel.started', -30 * DAY + Math.floor(i / perDay) * DAY + (i % perDay) * MINUTE),
    );

  it('volume_spike: a day at three times the mean, three sigma above it and 20 or more events', async () => {
    const spike = Array.from({ length: 40 }, (_, i) => event('tunnel.stopped', i * MINUTE));
    await ingestAll(fixture, [...steadyMonth(5), ...spike]);
    const [found] = ofRule(await reviewOf(fixture, { fromMs: 0, toMs: DAY - 12 * HOUR }), 'volume_spike');
    expect(found).toMatchObject({
      severity: 'medium',
      id: 'volume_spike:tunnel:2025-06-02',
      counts: { events: 40, mean: 5 },
    });
    expect(found?.chart?.kind === 'time' && found.chart.points).toHaveLength(31);
  });

  it('volume_spike: under three times the mean, or under 20 events, is none', async () => {
    await ingestAll(fixture, [
      ...steadyMonth(5),
      ...Array.from({ length: 14 }, (_, i) => event('tunnel.stopped', i * MINUTE)),
      ...Array.from({ length: 19 }, (_, i) => event('billing.credits_used', i * MINUTE)),
    ]);
    expect(ofRule(await reviewOf(fixture, { fromMs: 0, toMs: DAY - 12 * HOUR }), 'volume_spike')).toEqual([]);
  });

  itOnSqlite(
    'log_integrity: a purge and an erasure are info, access logging off and a removed webhook medium',
    async () => {
      const stores = createStores(fixture.db);
      await ingestAll(fixture, [event('tunnel.created', -400 * DAY)]);
      await adminOf(stores).setPlan('default', 'free');
      await purgeExpiredEvents(engineOf(stores), Date.now());
      await adminOf(stores).setAccessLogging('default', true);
      await adminOf(stores).setAccessLogging('default', false);
      const hook = await fixture.request({
        method: 'POST',
        url: '/api/v1/organizations/default/webhooks',
        payload: { url: 'http://127.0.0.1:9/h', actions: ['user.*'] },
      });
      await fixture.request({
        method: 'DELETE',
        url: `/api/v1/organizations/default/webhooks/${hook.json().data.id}`,
      });
      const erased = await fixture.request({
        method: 'POST',
        url: '/api/v1/organizations/default/gdpr/erasures',
        payload: { user: 'bob@example.com' },
      });
      expect(erased.statusCode, erased.body).toBe(200);
      const found = ofRule(await reviewOf(fixture, { query: 'since=1h' }), 'log_integrity');
      expect(found.map((f) => [f.id.split(':')[1], f.severity])).toEqual([
        ['accessLoggingOff', 'medium'],
        ['webhooksRemoved', 'medium'],
        ['purges', 'info'],
        ['erasures', 'info'],
      ]);
      expect(found.find((f) => f.id.includes('purges'))?.counts).toEqual({ times: 1, events: 1 });
    },
  );

  itOnSqlite('log_integrity: access logging switched on, or a webhook updated, is none', async () => {
    await adminOf(createStores(fixture.db)).setAccessLogging('default', true);
    const hook = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'http://127.0.0.1:9/h', actions: ['user.*'] },
    });
    await fixture.request({
      method: 'PATCH',
      url: `/api/v1/organizations/default/webhooks/${hook.json().data.id}`,
      payload: { description: 'x' },
    });
    await ingestAll(fixture, [
      event(
        'settings.integration_updated',
        0,
        {},
        { metadata: { change: 'deleted' }, target: { type: 'slack' } },
      ),
    ]);
    expect(ofRule(await reviewOf(fixture, { query: 'since=1h' }), 'log_integrity')).toEqual([]);
  });
});
