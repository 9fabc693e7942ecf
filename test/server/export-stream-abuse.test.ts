import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { AppOptions } from '../../src/server/app.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const EXPORT = '/api/v1/organizations/default/audit-logs/export';
const LIST = '/api/v1/organizations/default/audit-logs';
/** The events `start` stores, and none of the fixture's own records. */
const RANGE = 'from=2024-01-01&to=2024-01-31';

/** An export read over a real socket: every complete line so far, with when it came. */
interface OpenExport {
  response: IncomingMessage;
  lines: { at: number; text: string }[];
  finished: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Readers that drop, stall, or make every chunk costly: each still pays, is logged, and lets go. */
describe('export streams against readers that abuse them', () => {
  let fixture: Fixture | undefined;
  let port = 0;
  const responses: IncomingMessage[] = [];

  const start = async (options: Partial<AppOptions>, events: number, make = plainEvent) => {
    fixture = await createFixture({ shutdownGraceMs: 60_000, ...options });
    const orgId = fixture.app.services.sqlite.directory.findOrganization('default')?.id as number;
    for (let first = 0; first < events; first += 1000) {
      const batch: EventInput[] = [];
      for (let n = first; n < Math.min(events, first + 1000); n++) batch.push(make(n));
      fixture.app.services.sqlite.recorder.record(orgId, batch);
    }
    await sleep(2);
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    return fixture;
  };

  const openExport = (token: string, query = RANGE) =>
    new Promise<OpenExport>((resolve, reject) => {
      const request = get(
        `http://127.0.0.1:${port}${EXPORT}?${query}`,
        { headers: { authorization: `Bearer ${token}` } },
        (response) => {
          responses.push(response);
          const lines: { at: number; text: string }[] = [];
          let pending = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            const parts = (pending + chunk).split('\n');
            pending = parts.pop() as string;
            for (const text of parts) lines.push({ at: Date.now(), text });
          });
          const finished = new Promise<void>((done) => {
            response.once('close', done);
            response.once('error', () => done());
          });
          resolve({ response, lines, finished });
        },
      );
      request.on('error', reject);
    });

  const until = async (condition: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(10);
    }
  };

  const remainingAfter = async (token: string) => {
    const check = await fetch(`http://127.0.0.1:${port}${LIST}?per_page=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await check.text();
    return Number(check.headers.get('ratelimit-remaining'));
  };

  afterEach(async () => {
    for (const response of responses.splice(0)) response.destroy();
    await fixture?.close();
    fixture = undefined;
  });

  it('an export the reader drops after its first chunk still leaves exactly one access record', async () => {
    const server = await start({}, 40_000);
    await adminOf(createStores(server.db), SYSTEM_ACTOR).setAccessLogging('default', true);
    const records = () =>
      server.db
        .prepare(
          "SELECT json_extract(metadata, '$') FROM events WHERE action = 'access.api_call' AND metadata LIKE '%/export%' ORDER BY seq",
        )
        .pluck()
        .all()
        .map((json) => JSON.parse(json as string) as Record<string, unknown>);

    const whole = await fetch(`http://127.0.0.1:${port}${EXPORT}?${RANGE}`, {
      headers: { authorization: `Bearer ${server.tokens.admin}` },
    });
    expect((await whole.text()).trimEnd().split('\n').at(-1)).toBe('{"end":true,"count":40000}');
    await until(() => records().length === 1);

    const dropped = await openExport(server.tokens.admin);
    await until(() => dropped.lines.length >= 2);
    dropped.response.destroy();
    await until(() => records().length === 2);
    // Once per stream: neither the end nor the cut is recorded twice.
    await sleep(300);
    const [completed, cut] = records();
    expect(records()).toHaveLength(2);
    expect(completed).toMatchObject({
      method: 'GET',
      path: EXPORT,
      status: 200,
      rows: 40000,
      completed: true,
    });
    expect(cut).toMatchObject({ method: 'GET', path: EXPORT, status: 200, completed: false });
    expect(cut?.rows).toBeGreaterThanOrEqual(1000);
    expect(cut?.rows).toBeLessThan(40000);
  });

  it('an export cut by the server closing leaves its access record too', async () => {
    const server = await start({}, 20_000);
    await adminOf(createStores(server.db), SYSTEM_ACTOR).setAccessLogging('default', true);
    const stream = await openExport(server.tokens.admin);
    await until(() => stream.lines.length >= 2);
    stream.response.pause();
    await server.app.close();
    const records = server.db
      .prepare("SELECT metadata FROM events WHERE action = 'access.api_call' AND metadata LIKE '%/export%'")
      .pluck()
      .all()
      .map((json) => JSON.parse(json as string) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ path: EXPORT, status: 200, completed: false });
  });

  it('byte-capped chunks of big rows cost a rate unit each, not one per thousand rows', async () => {
    const big = 'y'.repeat(60_000);
    const server = await start({ rateLimitPerMinute: 100 }, 40, (n) => ({
      ...plainEvent(n),
      changes: { a: big },
      metadata: { b: big },
    }));
    const answer = await fetch(`http://127.0.0.1:${port}${EXPORT}?${RANGE}`, {
      headers: { authorization: `Bearer ${server.tokens.owner}` },
    });
    const chunks = (await answer.text()).split('\n').filter((line) => line.startsWith('{"cursor"'));
    expect(chunks.length).toBeGreaterThan(3);
    // The request's own cost pays for its first chunk; the list request that checks costs one.
    expect(await remainingAfter(server.tokens.owner)).toBe(100 - 1 - (chunks.length - 1) - 1);
  });

  it('an export with a search pays the search cost for every chunk it reads', async () => {
    const server = await start({ rateLimitPerMinute: 100 }, 3500);
    const answer = await fetch(`http://127.0.0.1:${port}${EXPORT}?${RANGE}&q=example`, {
      headers: { authorization: `Bearer ${server.tokens.owner}` },
    });
    const lines = (await answer.text()).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('{"end":true,"count":3500}');
    const chunks = lines.filter((line) => line.startsWith('{"cursor"')).length;
    expect(chunks).toBe(4);
    // One search word costs 2 (searchCost(1)): the request, then three more chunks, then the check.
    expect(await remainingAfter(server.tokens.owner)).toBe(100 - 2 - 3 * 2 - 1);
  });

  it('a token revoked while its stream waits for the rate limit gets no chunk after the wait', async () => {
    const server = await start({ rateLimitPerMinute: 3, rateLimitWindowMs: 2500 }, 8000);
    const admin = adminOf(createStores(server.db));
    const { token } = await admin.createToken('default', 'olga@example.com', 'read', 'doomed');
    const stream = await openExport(token);
    // The head and the three chunks the window pays for; the fourth waits for the next window.
    await until(() => stream.lines.length >= 4);
    await sleep(100);
    await admin.revokeToken('default', token.slice(0, 12));
    const revokedAt = Date.now();
    await stream.finished;
    expect(stream.lines.filter((line) => line.at >= revokedAt)).toEqual([]);
    expect(stream.lines.some((line) => line.text.includes('"end":true'))).toBe(false);
  });

  it('a reader that stops reading is cut after the stall timeout, and its slot frees', async () => {
    const server = await start({ exportsPerToken: 1, exportStallTimeoutMs: 300 }, 40_000);
    const stalled = await openExport(server.tokens.owner);
    stalled.response.pause();
    const exportAgain = async () => {
      const again = await fetch(`http://127.0.0.1:${port}${EXPORT}?from=2024-01-01&to=2024-01-01T00:00:09Z`, {
        headers: { authorization: `Bearer ${server.tokens.owner}` },
      });
      return { status: again.status, text: await again.text() };
    };
    expect((await exportAgain()).status).toBe(429);
    let again = await exportAgain();
    const deadline = Date.now() + 10_000;
    while (again.status !== 200 && Date.now() < deadline) {
      await sleep(50);
      again = await exportAgain();
    }
    expect(again.status).toBe(200);
    expect(again.text.trimEnd().split('\n').at(-1)).toBe('{"end":true,"count":10}');
  });
});

function plainEvent(n: number): EventInput {
  return {
    action: 'user.login',
    timestamp: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
    actor: { id: `user_${n % 50}`, email: `person${n % 50}@example.com` },
    context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
    metadata: { n },
  };
}
