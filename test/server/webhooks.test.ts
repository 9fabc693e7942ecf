import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { type EventRow, rowToEvent } from '../../src/store/event-rows.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/webhooks';
const SLACK_URL = 'https://hooks.slack.com/services/T0001/B0002/XXXXsecretpathXXXX';

describe('webhook API', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture({ webhookRetryBaseMs: 50 });
  });
  afterEach(() => fixture.close());

  const create = (payload: object, token?: string) =>
    fixture.request({ method: 'POST', url: BASE, payload, token });

  const integrationEvents = (): AuditEvent[] =>
    (
      fixture.db
        .prepare("SELECT * FROM events WHERE action = 'settings.integration_updated' ORDER BY seq")
        .all() as EventRow[]
    ).map(rowToEvent);

  it('creates a webhook, shows the secret once, and never again', async () => {
    const response = await create({
      url: SLACK_URL,
      actions: 'user.login_failed, security.*',
      category: ['auth', 'security'],
      format: 'slack',
      description: 'alerts to #sec',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const { data, secret } = response.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(data).toMatchObject({
      id: expect.stringMatching(/^whk_[0-9a-f]{12}$/),
      url: 'https://hooks.slack.com/services/…',
      format: 'slack',
      actions: ['user.login_failed', 'security.*'],
      categories: ['auth', 'security'],
      description: 'alerts to #sec',
    });
    expect(response.headers.location).toBe(`${BASE}/${data.id}`);

    const list = await fixture.request({ method: 'GET', url: BASE });
    const one = await fixture.request({ method: 'GET', url: `${BASE}/${data.id}` });
    expect(list.json().data).toEqual([data]);
    expect(one.json().data).toEqual(data);
    for (const text of [list.body, one.body]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('secretpath');
    }
  });

  it('keeps a secret the caller chose, and refuses a short one', async () => {
    const chosen = 'a-long-enough-shared-secret';
    const ok = await create({ url: 'https://example.com/hook', actions: ['user.login'], secret: chosen });
    expect(ok.json().secret).toBe(chosen);
    const short = await create({ url: 'https://example.com/hook', actions: 'user.login', secret: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().param).toBe('secret');
  });

  it.each([
    [{ url: 'ftp://example.com/x', actions: 'user.login' }, 'url'],
    [{ url: 'not a url', actions: 'user.login' }, 'url'],
    [{ url: 'https://user:pw@example.com/x', actions: 'user.login' }, 'url'],
    [{ url: `https://example.com/${'x'.repeat(2100)}`, actions: 'user.login' }, 'url'],
    [{ url: 'https://example.com/x', actions: '' }, 'actions'],
    [{ url: 'https://example.com/x', actions: 'User Login' }, 'actions'],
    [{ url: 'https://example.com/x', actions: 'user.login', category: 'nonsense' }, 'category'],
    [{ url: 'https://example.com/x', actions: 'user.login', format: 'irc' }, 'format'],
    [{ actions: 'user.login' }, 'url'],
  ])('answers 400 naming the field for %j', async (payload, param) => {
    const response = await create(payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().param).toBe(param);
  });

  itOnSqlite(
    'records create, change and delete as settings.integration_updated without URL path or secret',
    async () => {
      const created = (await create({ url: SLACK_URL, actions: 'security.*', format: 'slack' })).json();
      const id = created.data.id;
      const patch = await fixture.request({
        method: 'PATCH',
        url: `${BASE}/${id}`,
        payload: { actions: ['security.*', 'user.login_failed'], category: 'security', format: 'discord' },
      });
      expect(patch.statusCode).toBe(200);
      expect(patch.json().data).toMatchObject({
        actions: ['security.*', 'user.login_failed'],
        categories: ['security'],
        format: 'discord',
      });
      expect((await fixture.request({ method: 'DELETE', url: `${BASE}/${id}` })).statusCode).toBe(204);

      const events = integrationEvents();
      expect(events.map((event) => event.metadata?.change)).toEqual(['created', 'updated', 'deleted']);
      const [first, second] = events as [AuditEvent, AuditEvent];
      expect(first.actor).toMatchObject({ email: 'alice@example.com', type: 'user' });
      expect(first.target).toMatchObject({ type: 'webhook', id });
      expect(first.description).toBe('Alice Chen created the Slack webhook integration to hooks.slack.com');
      expect(first.metadata).toMatchObject({ url_origin: 'https://hooks.slack.com', format: 'slack' });
      expect(second.changes).toEqual({
        format: { old: 'slack', new: 'discord' },
        actions: { old: ['security.*'], new: ['security.*', 'user.login_failed'] },
        categories: { old: [], new: ['security'] },
      });
      const stored = JSON.stringify(events);
      expect(stored).not.toContain(created.secret);
      expect(stored).not.toContain('secretpath');
      expect(stored).not.toContain('T0001');
    },
  );

  it('answers 404 for an unknown or deleted webhook', async () => {
    const id = (await create({ url: 'https://example.com/x', actions: '*' })).json().data.id;
    expect((await fixture.request({ method: 'DELETE', url: `${BASE}/${id}` })).statusCode).toBe(204);
    for (const [method, url] of [
      ['GET', `${BASE}/${id}`],
      ['DELETE', `${BASE}/${id}`],
      ['POST', `${BASE}/${id}/test`],
      ['GET', `${BASE}/${id}/deliveries`],
      ['GET', `${BASE}/whk_000000000000`],
    ] as const) {
      const response = await fixture.request({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const patch = await fixture.request({
      method: 'PATCH',
      url: `${BASE}/${id}`,
      payload: { format: 'json' },
    });
    expect(patch.statusCode).toBe(404);
    expect((await fixture.request({ method: 'GET', url: BASE })).json().data).toEqual([]);
  });

  it('refuses an empty change and unknown fields', async () => {
    const id = (await create({ url: 'https://example.com/x', actions: '*' })).json().data.id;
    const empty = await fixture.request({ method: 'PATCH', url: `${BASE}/${id}`, payload: {} });
    expect(empty.statusCode).toBe(400);
    const secret = await fixture.request({
      method: 'PATCH',
      url: `${BASE}/${id}`,
      payload: { secret: 'a-new-secret-of-length' },
    });
    expect(secret.statusCode).toBe(400);
  });

  it('takes categories, the name the README and the answers use, and still the older category', async () => {
    const documented = await create({
      url: 'https://example.com/a',
      actions: '*',
      categories: 'auth,security',
    });
    expect(documented.statusCode).toBe(201);
    expect(documented.json().data.categories).toEqual(['auth', 'security']);
    const older = await create({ url: 'https://example.com/b', actions: '*', category: ['billing'] });
    expect(older.json().data.categories).toEqual(['billing']);

    const id = documented.json().data.id;
    const patch = (payload: object) => fixture.request({ method: 'PATCH', url: `${BASE}/${id}`, payload });
    expect((await patch({ categories: ['team'] })).json().data.categories).toEqual(['team']);
    expect((await patch({ category: 'auth' })).json().data.categories).toEqual(['auth']);
    expect((await patch({ categories: [] })).json().data.categories).toEqual([]);
  });

  it('refuses both spellings at once and names the spelling that held a bad category', async () => {
    const both = await create({
      url: 'https://example.com/x',
      actions: '*',
      categories: 'auth',
      category: 'auth',
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().param).toBe('categories');
    const bad = await create({ url: 'https://example.com/x', actions: '*', categories: 'nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      param: 'categories',
      detail: 'categories: unknown category "nonsense"',
    });
  });

  describe('permissions', () => {
    it('lets an organization admin manage webhooks', async () => {
      const response = await create({ url: 'https://example.com/x', actions: '*' }, fixture.tokens.admin);
      expect(response.statusCode).toBe(201);
    });

    it.each(['member', 'teamAdmin', 'ingest'] as const)('refuses the %s token with 403', async (role) => {
      const token = fixture.tokens[role];
      const id = (await create({ url: 'https://example.com/x', actions: '*' })).json().data.id;
      const attempts = [
        await create({ url: 'https://example.com/x', actions: '*' }, token),
        await fixture.request({ method: 'GET', url: BASE, token }),
        await fixture.request({ method: 'GET', url: `${BASE}/${id}`, token }),
        await fixture.request({ method: 'PATCH', url: `${BASE}/${id}`, payload: { format: 'json' }, token }),
        await fixture.request({ method: 'DELETE', url: `${BASE}/${id}`, token }),
        await fixture.request({ method: 'POST', url: `${BASE}/${id}/test`, token }),
        await fixture.request({ method: 'GET', url: `${BASE}/${id}/deliveries`, token }),
      ];
      expect(attempts.map((response) => response.statusCode)).toEqual(Array(7).fill(403));
    });

    it("answers 404 for another organization's webhooks", async () => {
      const response = await fixture.request({ method: 'GET', url: BASE, token: fixture.tokens.otherOrg });
      expect(response.statusCode).toBe(404);
    });
  });

  it('documents every webhook route in the OpenAPI document', async () => {
    const openapi = (await fixture.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = openapi.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths[BASE.replace('default', '{org}')] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(paths['/api/v1/organizations/{org}/webhooks/{id}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    expect(paths['/api/v1/organizations/{org}/webhooks/{id}/test']).toHaveProperty('post');
    expect(paths['/api/v1/organizations/{org}/webhooks/{id}/deliveries']).toHaveProperty('get');
    expect(openapi.components.schemas.Webhook.properties).not.toHaveProperty('secret');
    expect(openapi.components.schemas.WebhookDelivery.properties).toHaveProperty('attempts');
  });
});
