import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';

describe('POST audit-logs (ingest)', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  it('stores one event with derived id, category and description and answers 201', async () => {
    const response = await fixture.request({
      method: 'POST',
      url: URL,
      payload: {
        action: 'tunnel.deleted',
        timestamp: '2024-01-15T14:32:18.123Z',
        actor: { id: 'user_abc123', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
        target: { type: 'tunnel', id: 'tunnel_xyz789', name: 'api-staging.example.net' },
        context: { ip_address: '203.0.113.42' },
        metadata: { reason: 'No longer needed for testing' },
      },
    });
    expect(response.statusCode).toBe(201);
    const [event] = response.json().data;
    expect(event.id).toMatch(/^log_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(event).toMatchObject({
      timestamp: '2024-01-15T14:32:18.123Z',
      category: 'tunnel',
      action: 'tunnel.deleted',
      actor: { id: 'user_abc123', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
      target: { type: 'tunnel', id: 'tunnel_xyz789', name: 'api-staging.example.net' },
      context: { ip_address: '203.0.113.42', user_agent: null, team_id: null, team_name: null },
      changes: null,
      metadata: { reason: 'No longer needed for testing' },
    });
    expect(event.description).toContain('Alice Chen');
    expect(event.description).toContain('api-staging.example.net');
    expect(response.json().summary).toEqual({ received: 1, created: 1, duplicates: 0 });

    const fetched = await fixture.request({ method: 'GET', url: `${URL}/${event.id}` });
    expect(fetched.json().data).toEqual(event);
  });

  it('is idempotent by id: a retried batch stores each event once', async () => {
    const id = 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E';
    const events = [{ id, action: 'user.login' }, { action: 'user.logout' }];
    const first = await fixture.request({ method: 'POST', url: URL, payload: { events } });
    expect(first.json().summary).toEqual({ received: 2, created: 2, duplicates: 0 });
    const again = await fixture.request({
      method: 'POST',
      url: URL,
      payload: { events: [{ id, action: 'user.login' }] },
    });
    expect(again.statusCode).toBe(201);
    expect(again.json().summary).toEqual({ received: 1, created: 0, duplicates: 1 });
    // A duplicate is answered with its id alone, never the stored event (issue 17, point 7).
    expect(again.json().data[0]).toEqual({ id, duplicate: true });
    const list = await fixture.request({ method: 'GET', url: `${URL}?action=user.login` });
    expect(list.json().data.map((event: { id: string }) => event.id)).toEqual([id]);
  });

  it("accepts the reference product's own example id and finds it by id, after= and as a duplicate", async () => {
    const id = 'log_1a2b3c4d5e6f';
    const first = await fixture.request({ method: 'POST', url: URL, payload: { id, action: 'user.login' } });
    expect(first.statusCode).toBe(201);
    expect(first.json().data[0].id).toBe(id);
    const later = await fixture.ingest([{ action: 'user.logout' }]);
    expect(later[0]?.id).toMatch(/^log_[0-9A-HJKMNP-TV-Z]{26}$/);

    const shown = await fixture.request({ method: 'GET', url: `${URL}/${id}` });
    expect(shown.json().data).toMatchObject({ id, action: 'user.login' });
    const after = await fixture.request({ method: 'GET', url: `${URL}?after=${id}` });
    expect(after.json().data.map((event: { id: string }) => event.id)).toEqual([later[0]?.id]);
    const again = await fixture.request({ method: 'POST', url: URL, payload: { id, action: 'user.login' } });
    expect(again.json().summary).toMatchObject({ created: 0, duplicates: 1 });
    // Ids are exact: another case is another event.
    const otherCase = await fixture.request({
      method: 'POST',
      url: URL,
      payload: { id: 'log_1A2B3C4D5E6F', action: 'user.login' },
    });
    expect(otherCase.json().summary).toMatchObject({ created: 1 });
  });

  it('refuses a sender id outside the safe shape with a message that states the rule', async () => {
    for (const id of ['log_a/b', 'log_', `log_${'x'.repeat(65)}`, 'evt_123', 'log_\u202eevil']) {
      const response = await fixture.request({
        method: 'POST',
        url: URL,
        payload: { events: [{ id, action: 'user.login' }] },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        param: 'events[0].id',
        detail: 'events[0].id: must be "log_" followed by 1 to 64 letters, digits, "_" or "-"',
      });
    }
  });

  it('refuses an integer past 2^53 in metadata instead of storing it one off, naming its path', async () => {
    const body =
      '{"events":[{"action":"order.paid"},{"action":"order.paid","metadata":{"order":{"id":9007199254740993}}}]}';
    const response = await fixture.request({
      method: 'POST',
      url: URL,
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ param: 'events[1].metadata.order.id' });
    expect(response.json().detail).toContain('9007199254740993');
    const list = await fixture.request({ method: 'GET', url: `${URL}?action=order.paid` });
    expect(list.json().data).toEqual([]);

    // The largest exact integer, and the same id sent as a string, are stored as sent.
    const exact = await fixture.request({
      method: 'POST',
      url: URL,
      payload: '{"action":"order.paid","metadata":{"id":9007199254740991,"big":"9007199254740993"}}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(exact.statusCode).toBe(201);
    expect(exact.body).toContain('"id":9007199254740991');
    expect(exact.json().data[0].metadata).toEqual({ id: 9007199254740991, big: '9007199254740993' });
  });

  it('redacts secrets before storing them', async () => {
    const token = `adt_${'a'.repeat(46)}`;
    const response = await fixture.request({
      method: 'POST',
      url: URL,
      payload: {
        action: 'settings.integration_updated',
        metadata: {
          webhook: { url: 'https://hooks.example.com/x', signing_secret: 's3cr3t' },
          note: `used ${token}`,
        },
        changes: { password: { old: 'hunter2', new: 'hunter3' } },
        description: 'header was Bearer abc.def.ghi',
      },
    });
    const [event] = response.json().data;
    expect(event.metadata.webhook.signing_secret).toBe('[REDACTED]');
    expect(event.metadata.note).toBe('used [REDACTED]');
    expect(event.changes.password).toBe('[REDACTED]');
    expect(event.description).not.toContain('abc.def');
    const raw = fixture.db.prepare('SELECT metadata, changes, description FROM events').all();
    expect(JSON.stringify(raw)).not.toMatch(/s3cr3t|hunter2|aaaaaaaaaa|abc\.def/);
  });

  it('names the part of an event that matched none of its allowed shapes, and a missing field itself', async () => {
    const refusal = async (payload: object) => {
      const response = await fixture.request({ method: 'POST', url: URL, payload });
      expect(response.statusCode).toBe(400);
      return response.json() as { param: string; detail: string };
    };
    // `actor` is an object or null: a bad field inside it is reported at `actor`, as before.
    expect((await refusal({ action: 'user.login', actor: { id: 5 } })).param).toBe('actor');
    expect((await refusal({ action: 'user.login', category: 'nope' })).param).toBe('category');
    expect(await refusal({ description: 'no action' })).toMatchObject({
      param: 'action',
      detail: 'action: is required',
    });
    expect(await refusal({ action: 'user.login', description: 'x'.repeat(2001) })).toMatchObject({
      param: 'description',
      detail: expect.stringContaining('2000'),
    });
  });

  it('names the field of the event that failed validation', async () => {
    const bad = await fixture.request({
      method: 'POST',
      url: URL,
      payload: { events: [{ action: 'user.login' }, { action: 'user.login', timestamp: 'yesterday' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ status: 400, param: 'events[1].timestamp' });
    const missing = await fixture.request({ method: 'POST', url: URL, payload: { events: [{ actor: {} }] } });
    expect(missing.json()).toMatchObject({ status: 400, param: 'events[0].action' });
    // Nothing of a refused batch is stored.
    const list = await fixture.request({ method: 'GET', url: URL });
    expect(
      list.json().data.filter((event: { action: string }) => event.action === 'user.login'),
    ).toHaveLength(0);
  });

  it('refuses oversized batches, malformed JSON and other media types with 4xx problems', async () => {
    const tooMany = Array.from({ length: 1001 }, () => ({ action: 'user.login' }));
    expect(
      (await fixture.request({ method: 'POST', url: URL, payload: { events: tooMany } })).statusCode,
    ).toBe(413);
    const malformed = await fixture.request({
      method: 'POST',
      url: URL,
      payload: '{"action": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    const text = await fixture.request({
      method: 'POST',
      url: URL,
      payload: 'action=user.login',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().status).toBe(415);
  });

  it('lets owners, admins and ingest tokens send events, and refuses members', async () => {
    for (const token of [fixture.tokens.owner, fixture.tokens.admin, fixture.tokens.ingest]) {
      const response = await fixture.request({
        method: 'POST',
        url: URL,
        payload: { action: 'user.login' },
        token,
      });
      expect(response.statusCode).toBe(201);
    }
    for (const token of [fixture.tokens.member, fixture.tokens.teamAdmin]) {
      const response = await fixture.request({
        method: 'POST',
        url: URL,
        payload: { action: 'user.login' },
        token,
      });
      expect(response.statusCode).toBe(403);
    }
  });
});
