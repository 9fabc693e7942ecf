import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/domain/ulid.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';

describe('ingest against hostile senders', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 100 });
  });
  afterEach(() => fixture.close());

  const post = (payload: unknown, token = fixture.tokens.ingest) =>
    fixture.request({ method: 'POST', url: URL, payload: payload as object, token });

  it('an ingest-only token cannot read a stored event by re-posting its id', async () => {
    const [secret] = await fixture.ingest([
      { action: 'user.login', actor: { email: 'ceo@example.com' }, metadata: { reason: 'board meeting' } },
    ]);
    const id = secret?.id as string;
    const again = await post({ id, action: 'user.logout' });
    expect(again.statusCode).toBe(201);
    expect(again.json().data).toEqual([{ id, duplicate: true }]);
    expect(again.body).not.toMatch(/ceo@example\.com|board meeting|user\.login/);
    expect(again.json().summary).toEqual({ received: 1, created: 0, duplicates: 1 });
  });

  it('a duplicate is answered with its id alone for every role, new events in full', async () => {
    const id = newEventId();
    await post({ id, action: 'user.login' });
    const mixed = await post(
      { events: [{ id, action: 'user.login' }, { action: 'user.logout' }] },
      fixture.tokens.owner,
    );
    const [duplicate, created] = mixed.json().data;
    expect(duplicate).toEqual({ id, duplicate: true });
    expect(created).toMatchObject({ action: 'user.logout', category: 'auth' });
    expect(created.duplicate).toBeUndefined();
  });

  describe("the server's own records cannot be forged", () => {
    it.each([
      ['audit.retention_purged', {}],
      ['audit.exported', {}],
      ['gdpr.user_erased', {}],
      ['gdpr.export_requested', {}],
      ['security.api_auth_failed', {}],
      ['user.login', { category: 'audit' }],
      ['security.api_token_revoked', { actor: { id: 'system', type: 'system' } }],
      ['security.api_token_revoked', { actor: { id: 'local-admin', name: 'root (local administrator)' } }],
      ['team.member_added', { actor: { name: 'audit server' } }],
      ['team.member_added', { actor: { name: 'Mallory (local administrator)' } }],
      // Invisible characters and look-alike dashes are no way round the reserved names.
      ['user.login', { actor: { id: 'system\u200b' } }],
      ['user.login', { actor: { id: 'sys\u00adtem' } }],
      ['user.login', { actor: { id: 'local\u2011admin' } }],
      ['user.login', { actor: { name: 'audit\u200bserver' } }],
      ['user.login', { actor: { name: 'audit server\u200b' } }],
      ['user.login', { actor: { name: 'root (local\u200badministrator)' } }],
      ['user.login', { actor: { id: 'system\u0000' } }],
    ])('refuses %s sent as %j with a 400 naming the field', async (action, extra) => {
      const response = await post({ events: [{ action: 'user.login' }, { action, ...extra }] });
      expect(response.statusCode).toBe(400);
      expect(response.json().param).toMatch(/^events\[1\]\.(action|category|actor\.(id|name))$/);
      expect(response.json().detail).toContain('reserved');
      const stored = fixture.db
        .prepare("SELECT count(*) FROM events WHERE action = 'user.login'")
        .pluck()
        .get();
      expect(stored).toBe(0);
    });

    it("still accepts the reference catalogue's token and team events from other actors", async () => {
      const response = await post({
        events: [
          { action: 'security.api_token_revoked', actor: { id: 'user_1', name: 'Alice' } },
          { action: 'team.member_added', actor: { id: 'automation', type: 'system' } },
        ],
      });
      expect(response.statusCode).toBe(201);
    });
  });

  it('refuses a batch over 5 MiB with a 413 problem before parsing it', async () => {
    const big = 'x'.repeat(1900);
    const events = Array.from({ length: 1000 }, () => ({
      action: 'user.login',
      description: big,
      metadata: { a: big, b: big },
    }));
    const response = await post({ events });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const stored = fixture.db
      .prepare("SELECT count(*) FROM events WHERE action = 'user.login'")
      .pluck()
      .get();
    expect(stored).toBe(0);
  });

  it('weighs a batch by its size in the rate limit: 1000 events cost 10 requests', async () => {
    const one = await post({ action: 'user.login' });
    const before = Number(one.headers['ratelimit-remaining']);
    const batch = await post({ events: Array.from({ length: 1000 }, () => ({ action: 'user.login' })) });
    expect(batch.statusCode).toBe(201);
    expect(Number(batch.headers['ratelimit-remaining'])).toBe(before - 10);
    const small = await post({ events: Array.from({ length: 100 }, () => ({ action: 'user.login' })) });
    expect(Number(small.headers['ratelimit-remaining'])).toBe(before - 11);
  });

  it('refuses a batch that would pass the rate limit, storing nothing of it', async () => {
    const thousand = { events: Array.from({ length: 1000 }, () => ({ action: 'user.login' })) };
    for (let sent = 0; sent < 10; sent++) expect((await post(thousand)).statusCode).toBe(201);
    const before = fixture.db.prepare('SELECT count(*) FROM events').pluck().get();
    const over = await post(thousand);
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toMatch(/^\d+$/);
    expect(over.headers['ratelimit-remaining']).toBe('0');
    expect(fixture.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(before);
  });
});
