import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import type { AuditClientOptions } from '../../src/client/client-options.js';
import { AuditApiError, AuditNetworkError, AuditTimeoutError } from '../../src/client/errors.js';
import type { RetryInfo } from '../../src/client/http.js';
import type { EventInput } from '../../src/client/types.js';
import { generateToken } from '../../src/domain/token.js';
import { newEventId } from '../../src/domain/ulid.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

let fixture: Fixture;
let serverUrl: string;
let proxy: FaultProxy;
const clients: AuditClient[] = [];

/** A client with the owner's token and no real waiting between attempts. */
function makeClient(options: Partial<AuditClientOptions> = {}): AuditClient {
  const client = new AuditClient({
    server: serverUrl,
    token: fixture.tokens.owner,
    org: 'default',
    sleep: async () => {},
    ...options,
  });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  fixture = await createFixture();
  serverUrl = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await fixture.close();
});

describe('AuditClient against the real server', () => {
  it('me() says whom the token belongs to', async () => {
    const me = await makeClient().me();
    expect(me.user.email).toBe('alice@example.com');
    expect(me.user.role).toBe('owner');
    expect(me.organization.slug).toBe('default');
    expect(fixture.tokens.owner.startsWith(me.token.prefix)).toBe(true);
  });

  it('ingests, then pages through 250 events with per_page 40, each exactly once', async () => {
    const client = makeClient();
    const inputs: EventInput[] = Array.from({ length: 250 }, (_, i) => ({
      action: 'client_test.paged',
      timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      metadata: { index: i },
    }));
    const ingested = await client.ingest(inputs);
    expect(ingested.summary).toEqual({ received: 250, created: 250, duplicates: 0 });

    const first = await client.listPage({ action: ['client_test.paged'], per_page: 40 });
    expect(first.data).toHaveLength(40);
    expect(first.pagination).toMatchObject({ per_page: 40, has_more: true });
    expect(first.pagination.next_cursor).toEqual(expect.any(String));

    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of client.pages({ action: ['client_test.paged'], per_page: 40, order: 'asc' })) {
      sizes.push(page.data.length);
      seen.push(...page.data.map((event) => event.id));
    }
    expect(sizes).toEqual([40, 40, 40, 40, 40, 40, 10]);
    expect(new Set(seen).size).toBe(250);
    expect(new Set(seen)).toEqual(new Set(ingested.data.map((event) => event.id)));
  });

  it('events({ limit }) stops after limit and asks for pages of that size', async () => {
    const lines: string[] = [];
    const client = makeClient({ trace: (line) => lines.push(line) });
    const events = [];
    for await (const event of client.events({ action: ['client_test.paged'] }, { limit: 55 }))
      events.push(event);
    expect(events).toHaveLength(55);
    expect(lines.filter((line) => line.startsWith('→'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('per_page=55'))).toBe(true);
  });

  it('serializes arrays as comma lists and true as "true"', async () => {
    const lines: string[] = [];
    const client = makeClient({ trace: (line) => lines.push(line) });
    await client.listPage({ category: ['auth', 'team'], detailed: true, per_page: 1, q: undefined });
    const sent = lines.find((line) => line.startsWith('→')) ?? '';
    expect(sent).toContain('category=auth%2Cteam');
    expect(sent).toContain('detailed=true');
    expect(sent).not.toContain('q=');
  });

  it('getEvent() returns one event', async () => {
    const client = makeClient();
    const [stored] = (await client.ingest([{ action: 'client_test.single', metadata: { n: 1 } }])).data;
    const event = await client.getEvent(stored?.id ?? '');
    expect(event).toMatchObject({ id: stored?.id, action: 'client_test.single', metadata: { n: 1 } });
  });

  it('refuses batches over 1000 and calls that need an organization without one', async () => {
    const client = makeClient();
    const tooMany = Array.from({ length: 1001 }, () => ({ action: 'client_test.big' }));
    await expect(client.ingest(tooMany)).rejects.toThrow(/at most 1000/);
    await expect(makeClient({ org: undefined }).listPage({})).rejects.toThrow(/organization/);
  });

  it('401: an AuditApiError with the problem detail, never the token', async () => {
    const token = generateToken();
    const error = await rejection(makeClient({ token }).me());
    expect(error).toBeInstanceOf(AuditApiError);
    const apiError = error as AuditApiError;
    expect(apiError.status).toBe(401);
    expect(apiError.problem?.detail).toEqual(expect.any(String));
    expect(apiError.message).toContain(apiError.problem?.detail);
    expect(apiError.message).toMatch(/^401 .*\(GET \/api\/v1\/me\)$/);
    expect(apiError.message).not.toContain(token);
    expect(JSON.stringify(apiError)).not.toContain(token);
  });

  it('403: a one-line message naming the method and path', async () => {
    const error = (await rejection(
      makeClient({ token: fixture.tokens.ingest }).listPage({}),
    )) as AuditApiError;
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      '403 Not permitted: this token has the ingest scope and can only send events (GET /api/v1/organizations/default/audit-logs)',
    );
  });

  it('400: the problem names the parameter', async () => {
    const error = (await rejection(makeClient().listPage({ from: 'last tuesday' }))) as AuditApiError;
    expect(error.status).toBe(400);
    expect(error.problem?.param).toBe('from');
  });
});

describe('retries through a fault proxy', () => {
  beforeEach(async () => {
    proxy = await startFaultProxy(serverUrl);
  });
  afterEach(async () => {
    await proxy.close();
  });

  const viaProxy = (options: Partial<AuditClientOptions> = {}) =>
    makeClient({ server: proxy.url, ...options });

  it('2× 503 then success: 3 requests, onRetry twice, the token on each', async () => {
    const retries: RetryInfo[] = [];
    proxy.failNext(2, { status: 503 });
    const me = await viaProxy({ onRetry: (info) => retries.push(info) }).me();
    expect(me.user.email).toBe('alice@example.com');
    expect(proxy.requests).toHaveLength(3);
    expect(proxy.requests.map((r) => r.outcome)).toEqual(['failed', 'failed', 'passed']);
    for (const seen of proxy.requests)
      expect(seen.headers.authorization).toBe(`Bearer ${fixture.tokens.owner}`);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries[0]?.reason).toMatch(/^503 /);
  });

  it('429 with Retry-After: waits as long as the server asks', async () => {
    const delays: number[] = [];
    proxy.failNext(1, { status: 429, retryAfter: '1' });
    proxy.failNext(1, { status: 429, retryAfter: '0' });
    await viaProxy({ sleep: async (ms) => void delays.push(ms), random: () => 0.9 }).me();
    expect(delays).toEqual([1000, 0]);
    expect(proxy.requests).toHaveLength(3);
  });

  it('3× 503 with 3 attempts: AuditApiError 503 after exactly 3 requests', async () => {
    proxy.failNext(3, { status: 503, detail: 'still busy' });
    const error = (await rejection(viaProxy({ attempts: 3 }).me())) as AuditApiError;
    expect(error).toBeInstanceOf(AuditApiError);
    expect(error.status).toBe(503);
    expect(error.problem?.detail).toBe('still busy');
    expect(proxy.requests).toHaveLength(3);
  });

  it('404 is not retried', async () => {
    const error = (await rejection(viaProxy().getEvent(newEventId()))) as AuditApiError;
    expect(error.status).toBe(404);
    expect(proxy.requests).toHaveLength(1);
  });

  it('a dropped connection is retried', async () => {
    const retries: RetryInfo[] = [];
    proxy.dropNext(1);
    const me = await viaProxy({ onRetry: (info) => retries.push(info) }).me();
    expect(me.organization.slug).toBe('default');
    expect(proxy.requests.map((r) => r.outcome)).toEqual(['dropped', 'passed']);
    expect(retries).toHaveLength(1);
  });

  it('retries POST: a batch with ids is stored once', async () => {
    const event = { id: newEventId(), action: 'client_test.retried_post' };
    proxy.failNext(1, { status: 503, pathPattern: /audit-logs/ });
    proxy.dropNext(1, { pathPattern: /audit-logs/ });
    const client = viaProxy();
    const first = await client.ingest([event]);
    expect(first.summary.created).toBe(1);
    expect(proxy.requests.map((r) => `${r.method} ${r.outcome}`)).toEqual([
      'POST failed',
      'POST dropped',
      'POST passed',
    ]);
    const again = await client.ingest([event]);
    expect(again.summary).toMatchObject({ created: 0, duplicates: 1 });
  });

  it('an abort stops the wait between attempts at once', async () => {
    proxy.failNext(1, { status: 503, retryAfter: '60' });
    const controller = new AbortController();
    const client = viaProxy({ sleep: undefined, onRetry: () => setTimeout(() => controller.abort(), 50) });
    const started = Date.now();
    const error = await rejection(client.request('GET', '/api/v1/me', { signal: controller.signal }));
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('network failures and tracing', () => {
  it('connection refused: AuditNetworkError after every attempt', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const retries: RetryInfo[] = [];
    const client = makeClient({ server: `http://127.0.0.1:${port}`, onRetry: (info) => retries.push(info) });
    const error = (await rejection(client.me())) as AuditNetworkError;
    expect(error).toBeInstanceOf(AuditNetworkError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe(`cannot reach http://127.0.0.1:${port}: connection refused`);
    expect(retries.map((r) => r.reason)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('trace lines show each attempt and answer, with the token masked', async () => {
    const lines: string[] = [];
    const token = fixture.tokens.owner;
    await makeClient({ trace: (line) => lines.push(line) }).me();
    expect(lines[0]).toBe(`→ GET ${serverUrl}/api/v1/me (attempt 1/3)`);
    expect(lines).toContain(`  authorization: Bearer ${token.slice(0, 12)}…`);
    expect(lines.at(-1)).toMatch(/^← 200 GET \/api\/v1\/me \d+ ms$/);
    for (const line of lines) expect(line).not.toContain(token);
  });

  it('openStream receives an ingested event as SSE text', async () => {
    const client = makeClient();
    const controller = new AbortController();
    const stream = await client.openStream(
      { action: ['client_test.streamed'] },
      { signal: controller.signal },
    );
    expect(stream.status).toBe(200);
    const [stored] = (await client.ingest([{ action: 'client_test.streamed' }])).data;
    let text = '';
    for await (const chunk of stream) {
      text += chunk;
      if (text.includes(stored?.id ?? '?')) break;
    }
    expect(text).toMatch(/^retry: \d+/);
    expect(text).toContain(`"action":"client_test.streamed"`);
    expect(text).toMatch(/\nid: [\w-]{22}\ndata: \{/);
    // Closing the client ends its open streams instead of waiting on them.
    await client.close();
  });

  it('a silent stream fails with AuditTimeoutError after the idle timeout', async () => {
    const client = makeClient();
    const stream = await client.openStream({ action: ['client_test.never'] }, { idleTimeoutMs: 200 });
    const error = await rejection(
      (async () => {
        for await (const _chunk of stream) {
          // The greeting arrives, then nothing: the server's heartbeat is 15 s away.
        }
      })(),
    );
    expect(error).toBeInstanceOf(AuditTimeoutError);
    expect((error as AuditTimeoutError).code).toBe('UND_ERR_BODY_TIMEOUT');
    expect(error).toBeInstanceOf(AuditNetworkError);
  });

  it('openStream answers an error status with AuditApiError and is not retried', async () => {
    const faulty = await startFaultProxy(serverUrl);
    try {
      faulty.failNext(1, { status: 503 });
      const client = makeClient({ server: faulty.url });
      const error = (await rejection(client.openStream({}, { lastEventId: '0' }))) as AuditApiError;
      expect(error.status).toBe(503);
      expect(faulty.requests).toHaveLength(1);
      expect(faulty.requests[0]?.headers).toMatchObject({
        accept: 'text/event-stream',
        'last-event-id': '0',
      });
    } finally {
      await faulty.close();
    }
  });
});

describe('hostile retry answers', () => {
  it('a 503 whose problem title is an OSC 52 clipboard write reaches onRetry and the trace without ESC, BEL, bidi or zero-width', async () => {
    let answered = 0;
    const hostile = createServer((_request, response) => {
      answered++;
      if (answered === 1) {
        response.writeHead(503, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ title: '\u001b]52;c;aGk=\u0007busy\u202e\u200b', status: 503 }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { kind: 'user' } }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hostile.address() as AddressInfo;
      const retries: RetryInfo[] = [];
      const lines: string[] = [];
      const client = makeClient({
        server: `http://127.0.0.1:${port}`,
        onRetry: (info) => retries.push(info),
        trace: (line) => lines.push(line),
      });
      await client.me().catch(() => undefined);
      expect(retries.map((retry) => retry.reason)).toEqual(['503 busy']);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the hostile characters are the point.
      const unsafe = /[\u001b\u0007\u202e\u200b]/;
      for (const line of lines) expect(line).not.toMatch(unsafe);
    } finally {
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });

  it('an API error whose title hides bidi and zero-width characters prints without them', () => {
    const error = new AuditApiError({
      status: 400,
      problem: {
        type: 'about:blank',
        title: 'Bad\u202e Request\u200b',
        status: 400,
        detail: 'x\u2066y\u001b]8;;http://e\u0007',
      },
      method: 'GET',
      url: 'http://127.0.0.1/api/v1/me',
    });
    expect(error.summary).toBe('400 Bad Request: xy');
  });
});
