import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { generateToken } from '../../src/domain/token.js';
import { type EventRow, rowToEvent } from '../../src/store/event-rows.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';
const GARBAGE = 'Bearer not-a-token';

describe('the server audits itself', () => {
  let fixture: Fixture;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    fixture = await createFixture({ now: () => clock });
  });
  afterEach(() => fixture.close());

  /** Events of organization `default` with this action, oldest first, straight from the database. */
  const stored = (action: string): AuditEvent[] =>
    (
      fixture.db
        .prepare(
          `SELECT e.* FROM events e JOIN organizations o ON o.id = e.org_id
           WHERE o.slug = 'default' AND e.action = ? ORDER BY e.seq`,
        )
        .all(action) as EventRow[]
    ).map(rowToEvent);

  const admin = () => adminOf(createStores(fixture.db, () => clock));

  /** A request that fails authentication; `null`: no Authorization header at all. */
  const badRequest = (authorization: string | null = GARBAGE, remoteAddress?: string) =>
    fixture.app.inject({
      method: 'GET',
      url: BASE,
      headers: authorization === null ? {} : { authorization },
      ...(remoteAddress ? { remoteAddress } : {}),
    });

  describe('failed authentication: security.api_auth_failed', () => {
    it('records the first failure at once, with IP and reason, and suppresses repeats within a minute', async () => {
      for (let i = 0; i < 10; i++) expect((await badRequest()).statusCode).toBe(401);
      const events = stored('security.api_auth_failed');
      expect(events).toHaveLength(1);
      const [event] = events as [AuditEvent];
      expect(event.category).toBe('security');
      expect(event.context?.ip_address).toBe('127.0.0.1');
      expect(event.metadata).toMatchObject({ reason: 'malformed token', count: 1 });
      expect(event.actor?.type).toBe('system');
      // The presented credential is never written down.
      expect(JSON.stringify(event)).not.toContain('not-a-token');
      // Visible through the API to the organization's owner.
      const listed = await fixture.request({ method: 'GET', url: `${BASE}?action=security.api_auth_failed` });
      expect(listed.json().data.map((item: AuditEvent) => item.id)).toEqual([event.id]);
    });

    it('after a minute, the next failure is recorded with the count of those suppressed meanwhile', async () => {
      for (let i = 0; i < 10; i++) await badRequest();
      clock += 61_000;
      await badRequest();
      const events = stored('security.api_auth_failed');
      expect(events.map((event) => event.metadata?.count)).toEqual([1, 10]);
      expect(events[1]?.metadata?.reason).toBe('malformed token');
      expect(events[1]?.timestamp).toBe(new Date(clock).toISOString());
      // Within the new minute: suppressed again.
      await badRequest();
      expect(stored('security.api_auth_failed')).toHaveLength(2);
    });

    it('loses no counted failure: what is pending is written on close, and the counts add up', async () => {
      let failures = 0;
      const fail = async () => {
        expect((await badRequest()).statusCode).toBe(401);
        failures++;
      };
      for (let i = 0; i < 10; i++) await fail();
      clock += 61_000;
      await fail();
      for (let i = 0; i < 4; i++) await fail();
      expect(stored('security.api_auth_failed')).toHaveLength(2);
      await fixture.app.close();
      const events = stored('security.api_auth_failed');
      expect(events).toHaveLength(3);
      expect(events.at(-1)?.metadata?.count).toBe(4);
      expect(events.reduce((sum, event) => sum + Number(event.metadata?.count), 0)).toBe(failures);
    });

    it('throttles per IP address and per reason separately', async () => {
      await badRequest();
      await badRequest();
      await badRequest(null); // missing token
      await badRequest(null);
      await badRequest(GARBAGE, '203.0.113.9');
      await badRequest(`Bearer adt_${'A'.repeat(46)}`); // right length, wrong checksum: malformed again
      await badRequest(`Bearer ${generateToken()}`); // well-formed, unknown
      await badRequest(`Bearer ${generateToken()}`);
      const events = stored('security.api_auth_failed');
      const seen = events.map((event) => `${event.context?.ip_address} ${event.metadata?.reason}`);
      expect(seen).toHaveLength(4);
      expect(new Set(seen).size).toBe(4);
      expect(seen).toContain('127.0.0.1 malformed token');
      expect(seen).toContain('127.0.0.1 missing token');
      expect(seen).toContain('203.0.113.9 malformed token');
      expect(seen).toContain('127.0.0.1 unknown token');
      expect(events.every((event) => event.metadata?.count === 1)).toBe(true);
    });

    it('records a revoked token with its own reason, without the token', async () => {
      const { token, record } = await admin().createToken('default', 'mia@example.com', 'read', 'to revoke');
      createStores(fixture.db, () => clock).directory.revokeToken(record.id);
      expect((await badRequest(`Bearer ${token}`)).statusCode).toBe(401);
      const reasons = stored('security.api_auth_failed').map((event) => event.metadata?.reason);
      expect(reasons).toEqual(['revoked token']);
      expect(JSON.stringify(stored('security.api_auth_failed'))).not.toContain(token);
    });

    it("records a failure against another organization's path in that organization's log", async () => {
      await fixture.app.inject({
        method: 'GET',
        url: '/api/v1/organizations/other/audit-logs',
        headers: { authorization: GARBAGE },
      });
      expect(stored('security.api_auth_failed')).toEqual([]);
      const other = fixture.db
        .prepare(
          `SELECT count(*) FROM events e JOIN organizations o ON o.id = e.org_id
           WHERE o.slug = 'other' AND e.action = 'security.api_auth_failed'`,
        )
        .pluck()
        .get();
      expect(other).toBe(1);
    });

    it('does not record successful requests', async () => {
      expect((await fixture.request({ method: 'GET', url: BASE })).statusCode).toBe(200);
      expect(stored('security.api_auth_failed')).toEqual([]);
    });
  });

  describe('tokens', () => {
    it('records token creation as security.api_token_created, without the token', async () => {
      const before = stored('security.api_token_created').length;
      const { token, record } = await admin().createToken(
        'default',
        'mia@example.com',
        'ingest',
        'ci pipeline',
      );
      const events = stored('security.api_token_created');
      expect(events).toHaveLength(before + 1);
      const event = events.at(-1) as AuditEvent;
      expect(event.category).toBe('security');
      expect(event.target).toMatchObject({ type: 'api_token', id: record.prefix, name: 'ci pipeline' });
      expect(event.metadata).toMatchObject({ scope: 'ingest', owner: 'mia@example.com' });
      expect(record.prefix).toBe(token.slice(0, 12));
      const raw = JSON.stringify(fixture.db.prepare('SELECT * FROM events').all());
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.slice(12));
    });

    it('records token revocation as security.api_token_revoked', async () => {
      const { token, record } = await admin().createToken('default', 'mia@example.com', 'read', 'laptop');
      await admin().revokeToken('default', token.slice(0, 12));
      const events = stored('security.api_token_revoked');
      expect(events).toHaveLength(1);
      expect(events[0]?.target).toMatchObject({ type: 'api_token', id: record.prefix, name: 'laptop' });
      expect(events[0]?.metadata).toMatchObject({ owner: 'mia@example.com' });
      expect(JSON.stringify(events)).not.toContain(token.slice(12));
    });
  });

  describe('users', () => {
    it('records a new user as team.member_added and a role change as team.member_role_changed', async () => {
      const added = stored('team.member_added').length;
      await admin().addUser('default', { email: 'new@example.com', name: 'New Person', role: 'member' });
      const addedEvents = stored('team.member_added');
      expect(addedEvents).toHaveLength(added + 1);
      const addedEvent = addedEvents.at(-1) as AuditEvent;
      expect(addedEvent.category).toBe('team');
      expect(addedEvent.target).toMatchObject({ type: 'user', name: 'new@example.com' });
      expect(addedEvent.metadata).toMatchObject({ role: 'member' });

      await admin().addUser('default', { email: 'new@example.com', role: 'admin' });
      const changed = stored('team.member_role_changed');
      expect(changed).toHaveLength(1);
      expect(changed[0]?.category).toBe('team');
      expect(changed[0]?.target?.id).toBe(addedEvent.target?.id);
      expect(changed[0]?.changes).toEqual({ role: { old: 'member', new: 'admin' } });
      // Adding again with nothing changed records nothing.
      await admin().addUser('default', { email: 'new@example.com', role: 'admin' });
      expect(stored('team.member_role_changed')).toHaveLength(1);
      expect(stored('team.member_added')).toHaveLength(added + 1);
    });
  });

  describe('organization settings', () => {
    it('records plan and retention changes as settings.organization_updated with old and new', async () => {
      await admin().setPlan('default', 'free');
      await admin().setPlan('default', 'enterprise', 100);
      const events = stored('settings.organization_updated');
      expect(events.map((event) => event.changes)).toEqual([
        { plan: { old: 'unlimited', new: 'free' }, retention_days: { old: null, new: 30 } },
        { plan: { old: 'free', new: 'enterprise' }, retention_days: { old: 30, new: 100 } },
      ]);
      expect(events[0]?.category).toBe('settings');
      expect(events[0]?.target).toMatchObject({ type: 'organization', id: 'default' });
    });

    it('with access logging on, records authenticated API calls as access.api_call, shown only in detailed mode', async () => {
      await admin().setAccessLogging('default', true);
      expect(stored('settings.organization_updated').at(-1)?.changes).toEqual({
        access_logging: { old: false, new: true },
      });
      expect(stored('access.api_call')).toEqual([]);

      const calls = [
        { url: '/api/v1/me', path: '/api/v1/me', status: 200 },
        { url: `${BASE}?action=user.login`, path: BASE, status: 200 },
        {
          url: `${BASE}/log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E`,
          path: `${BASE}/log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E`,
          status: 404,
        },
        { url: `${BASE}?action=access.api_call`, path: BASE, status: 200 },
      ];
      for (const call of calls) {
        const response = await fixture.request({ method: 'GET', url: call.url });
        expect(response.statusCode, call.url).toBe(call.status);
        // Not in a plain list, not even when asked for by action.
        if (call.url.endsWith('action=access.api_call')) expect(response.json().data).toEqual([]);
      }
      // A refused request has no authenticated caller: it is an auth failure, not an API call.
      expect((await badRequest()).statusCode).toBe(401);

      const detailed = await fixture.request({
        method: 'GET',
        url: `${BASE}?action=access.api_call&detailed=true`,
      });
      const listed = (detailed.json().data as AuditEvent[]).reverse();
      expect(listed.map((event) => event.metadata)).toEqual(
        calls.map((call) => ({ method: 'GET', path: call.path, status: call.status })),
      );
      for (const event of listed) {
        expect(event.category).toBe('access');
        expect(event.actor).toMatchObject({ email: 'alice@example.com', type: 'user' });
        expect(event.context?.ip_address).toBe('127.0.0.1');
      }
      // The query string (where filters, or a mistakenly passed secret, live) is not recorded.
      expect(JSON.stringify(stored('access.api_call'))).not.toContain('action=user.login');
      // The detailed list call itself is recorded too, once it has been answered.
      expect(stored('access.api_call')).toHaveLength(calls.length + 1);
    });

    it('after switching access logging off, records no new access.api_call', async () => {
      await admin().setAccessLogging('default', true);
      await fixture.request({ method: 'GET', url: '/api/v1/me' });
      await fixture.request({ method: 'GET', url: '/api/v1/me', token: fixture.tokens.member });
      expect(stored('access.api_call')).toHaveLength(2);
      await admin().setAccessLogging('default', false);
      expect(stored('settings.organization_updated').at(-1)?.changes).toEqual({
        access_logging: { old: true, new: false },
      });
      for (const url of ['/api/v1/me', BASE, `${BASE}?detailed=true`]) {
        expect((await fixture.request({ method: 'GET', url })).statusCode).toBe(200);
      }
      expect(stored('access.api_call')).toHaveLength(2);
      // Switching off twice records no second settings change.
      const settings = stored('settings.organization_updated').length;
      await admin().setAccessLogging('default', false);
      expect(stored('settings.organization_updated')).toHaveLength(settings);
    });

    it('is off by default', async () => {
      await fixture.request({ method: 'GET', url: '/api/v1/me' });
      await fixture.request({ method: 'GET', url: BASE });
      expect(stored('access.api_call')).toEqual([]);
    });
  });
});
