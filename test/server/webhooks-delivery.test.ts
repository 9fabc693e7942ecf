import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app.js';
import { createStores } from '../../src/store/stores.js';
import { NO_ANSWER } from '../../src/webhooks/sender.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import {
  type Answer,
  eventually,
  type Receiver,
  settle,
  startReceiver,
} from '../helpers/webhook-receiver.js';

const BASE = '/api/v1/organizations/default/webhooks';

describe('webhook delivery', () => {
  let fixture: Fixture;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await fixture.close();
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  const setUp = async (answer?: Answer, options: Partial<AppOptions> = {}) => {
    // Receivers listen on loopback, which only --webhook-allow-private lets a webhook reach.
    fixture = await createFixture({ webhookRetryBaseMs: 50, webhookAllowPrivate: true, ...options });
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return receiver;
  };

  const subscribe = async (payload: object) => {
    const response = await fixture.request({ method: 'POST', url: BASE, payload });
    expect(response.statusCode).toBe(201);
    return response.json() as { data: { id: string }; secret: string };
  };

  const deliveries = async (id: string, query = '') =>
    (await fixture.request({ method: 'GET', url: `${BASE}/${id}/deliveries${query}` })).json().data as {
      status: string;
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      event_id: string;
      delivered_at: string | null;
      next_attempt_at: string | null;
    }[];

  it('delivers a matching event once, signed, with delivery and event ids; not the others', async () => {
    const receiver = await setUp();
    const { secret } = await subscribe({ url: receiver.url, actions: 'user.login_failed,security.*' });
    const [failed, locked] = await fixture.ingest([
      {
        action: 'user.login_failed',
        actor: { email: 'eve@example.com' },
        metadata: { reason: 'bad password' },
      },
      { action: 'security.account_locked', target: { type: 'user', name: 'eve@example.com' } },
    ]);
    await fixture.ingest([{ action: 'user.login' }, { action: 'tunnel.deleted' }]);
    const other = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/other/audit-logs',
      payload: { action: 'user.login_failed' },
      token: fixture.tokens.otherOrg,
    });
    expect(other.statusCode).toBe(201);

    await receiver.waitFor(2);
    await settle();
    expect(receiver.received).toHaveLength(2);
    const byEvent = new Map(receiver.received.map((request) => [request.headers['audit-event'], request]));
    for (const stored of [failed, locked]) {
      const request = byEvent.get(stored?.id);
      expect(request, stored?.id).toBeDefined();
      if (!request) continue;
      expect(request.path).toBe('/hooks/audit');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['audit-delivery']).toMatch(/^\d+$/);
      expect(verifySignature(request.headers['audit-signature'] as string, request.body, secret)).toBe(true);
      expect(
        verifySignature(request.headers['audit-signature'] as string, request.body, 'wrong-secret'),
      ).toBe(false);
      // The json format is the event exactly as the API returns it.
      const fromApi = await fixture.request({
        method: 'GET',
        url: `/api/v1/organizations/default/audit-logs/${stored?.id}`,
      });
      expect(request.json()).toEqual(fromApi.json().data);
    }
    const [delivered] = await deliveries(
      (await fixture.request({ method: 'GET', url: BASE })).json().data[0].id,
    );
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200, last_error: null });
  });

  it('filters by category, and sends access events only to a webhook that names them', async () => {
    const receiver = await setUp();
    await subscribe({ url: `${receiver.url}?all`, actions: '*' });
    await subscribe({ url: `${receiver.url}?security`, actions: '*', category: 'security' });
    await subscribe({ url: `${receiver.url}?access`, actions: 'access.*' });
    await fixture.ingest([
      { action: 'security.password_changed' },
      { action: 'billing.payment_failed' },
      { action: 'access.api_call' },
    ]);
    await receiver.waitFor(4);
    await settle();
    const seen = receiver.received
      .map((request) => `${request.path.split('?')[1]} ${(request.json() as { action: string }).action}`)
      .filter((line) => !line.includes('settings.integration_updated'))
      .sort();
    expect(seen).toEqual([
      'access access.api_call',
      'all billing.payment_failed',
      'all security.password_changed',
      'security security.password_changed',
    ]);
  });

  it('retries a failing receiver with backoff until it recovers', async () => {
    const receiver = await setUp((n) => (n <= 3 ? { status: 500, body: 'boom\u001b[31m' } : { status: 204 }));
    const { data } = await subscribe({ url: receiver.url, actions: 'billing.payment_failed' });
    const [event] = await fixture.ingest([{ action: 'billing.payment_failed' }]);
    await receiver.waitFor(4);
    await eventually(async () => (await deliveries(data.id))[0]?.status === 'delivered');
    const [delivery] = await deliveries(data.id);
    expect(delivery).toMatchObject({
      event_id: event?.id,
      status: 'delivered',
      attempts: 4,
      last_status: 204,
    });
    expect(delivery?.delivered_at).not.toBeNull();
    expect(delivery?.next_attempt_at).toBeNull();
    // The same delivery id every time, so a receiver can de-duplicate.
    expect(new Set(receiver.received.map((request) => request.headers['audit-delivery'])).size).toBe(1);
  });

  it('gives up after the last attempt and marks the delivery failed with the last error', async () => {
    const receiver = await setUp(() => ({ status: 503, body: 'down for maintenance' }), {
      webhookMaxAttempts: 3,
    });
    const { data } = await subscribe({ url: receiver.url, actions: 'billing.payment_failed' });
    await fixture.ingest([{ action: 'billing.payment_failed' }]);
    await eventually(async () => (await deliveries(data.id))[0]?.status === 'failed');
    await settle();
    expect(receiver.received).toHaveLength(3);
    const [delivery] = await deliveries(data.id, '?status=failed');
    expect(delivery).toMatchObject({ attempts: 3, last_status: 503, next_attempt_at: null });
    // The receiver's own words are not shown: it may be an internal service (see webhooks-ssrf).
    expect(delivery?.last_error).toBe('HTTP 503');
    expect(await deliveries(data.id, '?status=delivered')).toEqual([]);
  });

  it('records a connection failure as the last error and keeps retrying', async () => {
    await setUp();
    const { data } = await subscribe({
      url: 'http://127.0.0.1:9/unreachable/path-token',
      actions: 'user.login',
    });
    await fixture.ingest([{ action: 'user.login' }]);
    await eventually(async () => ((await deliveries(data.id))[0]?.attempts ?? 0) >= 2);
    const [delivery] = await deliveries(data.id);
    expect(delivery).toMatchObject({ status: 'pending', last_status: null });
    expect(delivery?.last_error).toBe(NO_ANSWER);
    expect(delivery?.last_error).not.toContain('path-token');
    expect(delivery?.next_attempt_at).not.toBeNull();
  });

  it('does not slow ingest down when the receiver never answers', async () => {
    const hanging = await setUp(() => 'hang');
    const timeIngest = async () => {
      const started = performance.now();
      for (let i = 0; i < 50; i++) await fixture.ingest([{ action: 'security.api_token_created' }]);
      return performance.now() - started;
    };
    const baseline = await timeIngest();
    await subscribe({ url: hanging.url, actions: 'security.*' });
    const withHangingReceiver = await timeIngest();
    await hanging.waitFor(1);
    expect(withHangingReceiver).toBeLessThan(2000);
    expect(withHangingReceiver).toBeLessThan(baseline * 3 + 500);
    // At most a handful of requests wait on the one slow receiver at a time.
    await settle(200);
    expect(hanging.received.length).toBeLessThanOrEqual(4);
  });

  it('sends nothing more to a deleted webhook', async () => {
    const receiver = await setUp(() => ({ status: 500 }));
    const { data } = await subscribe({ url: receiver.url, actions: 'user.login' });
    await fixture.ingest([{ action: 'user.login' }]);
    await receiver.waitFor(1);
    expect((await fixture.request({ method: 'DELETE', url: `${BASE}/${data.id}` })).statusCode).toBe(204);
    const count = receiver.received.length;
    await fixture.ingest([{ action: 'user.login' }]);
    await settle(500);
    expect(receiver.received.length).toBeLessThanOrEqual(count + 1);
    const after = receiver.received.length;
    await settle(500);
    expect(receiver.received.length).toBe(after);
    const cancelled = fixture.db
      .prepare("SELECT status, last_error FROM webhook_deliveries WHERE status = 'failed'")
      .all() as { last_error: string }[];
    expect(cancelled.map((row) => row.last_error)).toEqual(['webhook deleted before delivery']);
    // The event ingested after the delete queued nothing.
    expect(fixture.db.prepare('SELECT count(*) FROM webhook_deliveries').pluck().get()).toBe(1);
  });

  it('lets the retention purge remove events that still have deliveries queued', async () => {
    const receiver = await setUp(() => ({ status: 500 }));
    const { data } = await subscribe({ url: receiver.url, actions: 'user.login' });
    await fixture.ingest([{ action: 'user.login', timestamp: '2020-01-01T00:00:00Z' }]);
    await receiver.waitFor(1);
    const { events, directory } = fixture.app.services.sqlite;
    const org = directory.findOrganization('default');
    expect(events.purgeBefore(org?.id ?? 0, Date.parse('2021-01-01T00:00:00Z'))).toBe(1);
    expect(await deliveries(data.id)).toEqual([]);
  });

  it('delivers events that another process wrote to the database (admin commands)', async () => {
    const receiver = await setUp();
    await subscribe({ url: receiver.url, actions: 'team.member_added' });
    // Another connection, as `audit server user add` would open: no worker, no poke.
    await adminOf(createStores(fixture.db)).addUser('default', { email: 'new@example.com', role: 'member' });
    const [request] = await receiver.waitFor(1);
    expect(request?.json()).toMatchObject({
      action: 'team.member_added',
      target: { name: 'new@example.com' },
    });
  });

  it('sends a sample event on demand and reports the answer, or why there was none', async () => {
    const receiver = await setUp(() => ({ status: 202, body: 'accepted\u0007 thanks' }));
    const { data, secret } = await subscribe({ url: receiver.url, actions: 'user.login', format: 'json' });
    const test = await fixture.request({ method: 'POST', url: `${BASE}/${data.id}/test` });
    expect(test.statusCode).toBe(200);
    expect(test.json().data).toMatchObject({ status: 202, body: '', error: null });
    expect(test.json().data.duration_ms).toBeGreaterThanOrEqual(0);
    const [request] = receiver.received;
    expect(request?.headers['audit-delivery']).toMatch(/^test_[0-9a-f]{12}$/);
    expect(verifySignature(request?.headers['audit-signature'] as string, request?.body ?? '', secret)).toBe(
      true,
    );
    expect(request?.json()).toMatchObject({
      id: test.json().data.event_id,
      action: 'audit.webhook_test',
      actor: { email: 'alice@example.com' },
    });

    const down = await subscribe({ url: 'http://127.0.0.1:9/x', actions: 'user.login' });
    const failed = await fixture.request({ method: 'POST', url: `${BASE}/${down.data.id}/test` });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().data).toMatchObject({ status: null, body: '' });
    expect(failed.json().data.error).toBe(NO_ANSWER);
  });

  it('gives the leases of deliveries in flight back before the database closes, so a restart sends them at once', async () => {
    const receiver = await setUp(() => 'hang');
    await subscribe({ url: receiver.url, actions: 'user.login_failed' });
    await fixture.ingest([{ action: 'user.login_failed' }]);
    await receiver.waitFor(1);
    expect(fixture.app.services.webhooks.worker.inFlightCount()).toBe(1);
    const leasedUntil = () =>
      fixture.db
        .prepare("SELECT next_attempt_at FROM webhook_deliveries WHERE status = 'pending'")
        .pluck()
        .get();
    // In flight: leased past the send timeout.
    expect(leasedUntil()).toBeGreaterThan(Date.now() + 5_000);
    await fixture.app.close();
    // Stopped: due again now, not when the lease would have run out.
    expect(leasedUntil()).toBeLessThanOrEqual(Date.now());
  });
});
