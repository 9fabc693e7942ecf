import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app.js';
import type { Resolver } from '../../src/webhooks/guarded-connect.js';
import { createWebhookSender } from '../../src/webhooks/sender.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { type Answer, type Receiver, settle, startReceiver } from '../helpers/webhook-receiver.js';

const BASE = '/api/v1/organizations/default/webhooks';
const REFUSED = /loopback, private or link-local.*--webhook-allow-private/;

describe('webhooks cannot be used to reach or read internal services', () => {
  let fixture: Fixture | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  const setUp = async (options: Partial<AppOptions> = {}) => {
    fixture = await createFixture({ webhookRetryBaseMs: 50, ...options });
    return fixture;
  };
  const receiver = async (answer?: Answer) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };
  const testSend = async (app: Fixture, id: string) => {
    const response = await app.request({ method: 'POST', url: `${BASE}/${id}/test` });
    expect(response.statusCode).toBe(200);
    return response.json().data as { status: number | null; body: string; error: string | null };
  };

  it('an admin cannot subscribe a loopback, private, link-local or metadata address', async () => {
    const app = await setUp();
    const hostile = [
      'http://127.0.0.1:6379/',
      'http://127.8.9.10/',
      'http://localhost:8080/admin',
      'http://LOCALHOST./x',
      'http://api.localhost/x',
      'http://2130706433/', // 127.0.0.1 written as one number
      'http://0x7f.1/',
      'http://0.0.0.0:22/',
      'http://169.254.169.254/latest/meta-data/iam/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://172.31.255.255/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[::1]:9200/',
      'http://[::]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fd00::1]/',
      'http://[fc00::1]/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://[64:ff9b::a9fe:a9fe]/',
    ];
    for (const url of hostile) {
      const created = await app.request({ method: 'POST', url: BASE, payload: { url, actions: 'user.*' } });
      expect(created.statusCode, url).toBe(400);
      expect(created.headers['content-type'], url).toMatch(/application\/problem\+json/);
      expect(created.json().detail, url).toMatch(REFUSED);
    }
    const fine = await app.request({
      method: 'POST',
      url: BASE,
      payload: { url: 'https://hooks.example.com/audit', actions: 'user.*' },
    });
    expect(fine.statusCode).toBe(201);
    const moved = await app.request({
      method: 'PATCH',
      url: `${BASE}/${fine.json().data.id}`,
      payload: { url: 'http://169.254.169.254/latest/meta-data/' },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().detail).toMatch(REFUSED);
  });

  it('a webhook stored with a private address before the upgrade is refused at send time', async () => {
    const app = await setUp();
    const internal = await receiver(() => ({ status: 200, body: 'internal service' }));
    const webhook = await app.app.services.engine.write((tx) =>
      tx.webhooks.create(
        1,
        {
          url: internal.url,
          format: 'json',
          patterns: [{ pattern: '', isPrefix: true }],
          categories: [],
          description: null,
        },
        'whsec_a-secret-of-some-length',
      ),
    );
    const result = await testSend(app, webhook.id);
    expect(result).toMatchObject({ status: null, body: '' });
    expect(result.error).toMatch(REFUSED);
    await settle(100);
    expect(internal.received).toHaveLength(0);
  });

  it('a name that resolves to loopback at send time is refused: the address connected to is checked', async () => {
    const internal = await receiver();
    // DNS rebinding: the name was accepted at creation (names are not resolved then); at send
    // time it answers loopback.
    const rebinding: Resolver = (_host, _options, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const sender = createWebhookSender({ timeoutMs: 2000, resolve: rebinding });
    try {
      const result = await sender.send({
        url: `http://rebind.example:${internal.port}/hooks`,
        body: '{}',
        headers: {},
        secrets: [],
      });
      expect(result.status).toBeNull();
      expect(internal.received).toHaveLength(0);
      // No DNS oracle: a name refused for what it resolves to reads like a name that does not
      // resolve, so an admin cannot map internal names through the test send.
      const unresolvable: Resolver = (host, _options, callback) =>
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
      const nowhere = createWebhookSender({ timeoutMs: 2000, resolve: unresolvable });
      try {
        const missing = await nowhere.send({
          url: 'http://no-such-host.example/hooks',
          body: '{}',
          headers: {},
          secrets: [],
        });
        expect(result.error).toBe(missing.error);
        expect(result.error).not.toMatch(REFUSED);
      } finally {
        await nowhere.close();
      }
    } finally {
      await sender.close();
    }
  });

  it('an IPv4-mapped IPv6 literal does not reach loopback at send time', async () => {
    const internal = await receiver();
    const sender = createWebhookSender({ timeoutMs: 2000 });
    try {
      const result = await sender.send({
        url: `http://[::ffff:127.0.0.1]:${internal.port}/hooks`,
        body: '{}',
        headers: {},
        secrets: [],
      });
      expect(result.error).toMatch(REFUSED);
      expect(internal.received).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it("the test send reports an internal receiver's status and timing, never its answer", async () => {
    const app = await setUp({ webhookAllowPrivate: true });
    const internal = await receiver(() => ({
      status: 500,
      body: 'redis_version:7.2.4 internal-page-canary',
    }));
    const created = await app.request({
      method: 'POST',
      url: BASE,
      payload: { url: internal.url, actions: 'user.*' },
    });
    const result = await testSend(app, created.json().data.id);
    expect(result).toMatchObject({ status: 500, body: '', error: 'HTTP 500' });
    expect(JSON.stringify(result)).not.toContain('canary');
  });

  it('a closed port and a silent one give the same error, so ports cannot be told apart', async () => {
    const app = await setUp({ webhookAllowPrivate: true, webhookTimeoutMs: 300 });
    const silent = await receiver(() => 'hang');
    const closed = await receiver();
    const closedPort = closed.port;
    await closed.close();
    const errors: (string | null)[] = [];
    for (const url of [`http://127.0.0.1:${closedPort}/x`, silent.url]) {
      const created = await app.request({ method: 'POST', url: BASE, payload: { url, actions: 'user.*' } });
      const result = await testSend(app, created.json().data.id);
      expect(result.status, url).toBeNull();
      errors.push(result.error);
    }
    expect(errors[0]).toBeTruthy();
    expect(errors[0]).not.toMatch(/ECONNREFUSED|ETIMEDOUT|refused|after \d+ ?ms|\d{2,5}/);
    expect(errors[1]).toBe(errors[0]);
  });

  it('a redirect is not followed, to a private address or anywhere', async () => {
    const app = await setUp({ webhookAllowPrivate: true });
    const target = await receiver();
    const redirecting = await receiver(() => ({ status: 307, headers: { location: target.url } }));
    const created = await app.request({
      method: 'POST',
      url: BASE,
      payload: { url: redirecting.url, actions: 'user.*' },
    });
    const result = await testSend(app, created.json().data.id);
    expect(result.status).toBe(307);
    await settle(100);
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });
});
