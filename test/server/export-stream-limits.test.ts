import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { AppOptions } from '../../src/server/app.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const EXPORT = '/api/v1/organizations/default/audit-logs/export';
const LIST = '/api/v1/organizations/default/audit-logs';

/** An export answer read over a real socket, as slowly as the test likes. */
interface OpenExport {
  response: IncomingMessage;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the answer is over: ended, cut, or destroyed. */
  finished: Promise<void>;
  /** Resolves once `text()` holds `n` complete lines. */
  lines(n: number): Promise<string[]>;
}

describe('export streams against slow, greedy and vanishing clients', () => {
  let fixture: Fixture | undefined;
  let port = 0;
  const responses: IncomingMessage[] = [];

  const start = async (options: Partial<AppOptions> = {}, events = 0) => {
    fixture = await createFixture({ shutdownGraceMs: 60_000, ...options });
    const orgId = fixture.app.services.sqlite.directory.findOrganization('default')?.id as number;
    for (let first = 0; first < events; first += 1000) {
      const batch: EventInput[] = [];
      for (let n = first; n < Math.min(events, first + 1000); n++)
        batch.push({
          action: 'user.login',
          timestamp: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
          actor: { id: `user_${n % 50}`, email: `person${n % 50}@example.com` },
          context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
          metadata: { n },
        });
      fixture.app.services.sqlite.recorder.record(orgId, batch);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    return fixture;
  };

  /** The events `start` stored, and none of the fixture's own records. */
  const RANGE = 'from=2024-01-01&to=2024-01-31';

  const openExport = (token: string, query = RANGE) =>
    new Promise<OpenExport>((resolve, reject) => {
      const request = get(
        `http://127.0.0.1:${port}${EXPORT}?${query}`,
        { headers: { authorization: `Bearer ${token}` } },
        (response) => {
          responses.push(response);
          let text = '';
          const waiters: (() => void)[] = [];
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
            for (const wake of waiters.splice(0)) wake();
          });
          const finished = new Promise<void>((done) => {
            response.once('close', done);
            response.once('end', done);
            response.once('error', () => done());
          });
          const lines = async (n: number) => {
            while (text.split('\n').length - 1 < n) {
              await Promise.race([new Promise<void>((wake) => waiters.push(wake)), finished]);
              if (response.destroyed && text.split('\n').length - 1 < n)
                throw new Error(`ended before ${n} lines`);
            }
            return text.split('\n').slice(0, n);
          };
          resolve({ response, text: () => text, finished, lines });
        },
      );
      request.on('error', reject);
    });

  /** Counts the chunk queries the export route makes. */
  const countChunkReads = (target: Fixture) => {
    const { events } = target.app.services.sqlite;
    const read = events.exportChunk;
    const counter = { reads: 0 };
    events.exportChunk = (...args) => {
      counter.reads++;
      return read(...args);
    };
    return counter;
  };

  /**
   * Holds every export's reads after its first chunk until `release()`: an export stays open
   * however much the socket buffers take (loopback's grow to tens of megabytes, more than a
   * test's export). A read with a cursor is a later chunk's.
   */
  const holdAfterFirstChunk = (target: Fixture) => {
    const { events } = target.app.services.sqlite;
    const read = events.exportChunk;
    let release = () => {};
    const released = new Promise<void>((done) => {
      release = done;
    });
    events.exportChunk = ((...args: Parameters<typeof read>) =>
      args[3]?.cursor ? released.then(() => read(...args)) : read(...args)) as typeof read;
    return { release };
  };

  afterEach(async () => {
    for (const response of responses.splice(0)) response.destroy();
    await fixture?.close();
    fixture = undefined;
  });

  it('one token cannot hold more export streams than its cap: the next is a 429 too-many-exports, and the slot frees when a client goes', async () => {
    const server = await start({ exportsPerToken: 1 }, 5000);
    const { tokens } = server;
    const held = holdAfterFirstChunk(server);
    const first = await openExport(tokens.owner);
    first.response.pause();
    expect(first.response.statusCode).toBe(200);
    const refused = await fetch(`http://127.0.0.1:${port}${EXPORT}`, {
      headers: { authorization: `Bearer ${tokens.owner}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { type: string }).type).toMatch(/too-many-exports$/);
    // Another token has slots of its own.
    const other = await openExport(tokens.admin);
    expect(other.response.statusCode).toBe(200);
    other.response.destroy();

    held.release();
    first.response.destroy();
    await first.finished;
    let again: Response | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await fetch(`http://127.0.0.1:${port}${EXPORT}?${RANGE}`, {
        headers: { authorization: `Bearer ${tokens.owner}` },
      });
    }
    expect(again?.status).toBe(200);
    expect((await again?.text())?.trimEnd().split('\n').at(-1)).toBe('{"end":true,"count":5000}');
  });

  it('stops reading the database at once when its client goes away, and frees the slot', async () => {
    const server = await start({ exportsPerToken: 1 }, 20_000);
    const reads = countChunkReads(server);
    const stream = await openExport(server.tokens.owner);
    await stream.lines(2);
    stream.response.destroy();
    await stream.finished;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterGone = reads.reads;
    expect(afterGone).toBeLessThan(20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reads.reads).toBe(afterGone);
    const next = await fetch(`http://127.0.0.1:${port}${EXPORT}?from=2024-01-01&to=2024-01-01T00:00:09Z`, {
      headers: { authorization: `Bearer ${server.tokens.owner}` },
    });
    expect(next.status).toBe(200);
    expect((await next.text()).trimEnd().split('\n').at(-1)).toBe('{"end":true,"count":10}');
  });

  it('a token revoked while its export streams reads nothing more: the stream is cut', async () => {
    // The token is looked at after every chunk (streamRecheckMs 1), and revoked while the third
    // chunk is read: whatever the socket buffers hold, the stream cannot reach its end.
    const server = await start({ streamRecheckMs: 1 }, 20_000);
    const admin = adminOf(createStores(server.db));
    const { token } = await admin.createToken('default', 'olga@example.com', 'read', 'doomed');
    const { events } = server.app.services.sqlite;
    const read = events.exportChunk;
    let reads = 0;
    events.exportChunk = (...args) => {
      reads++;
      // Settles within this turn, before the stream looks at its token again.
      if (reads === 3) void admin.revokeToken('default', token.slice(0, 12));
      return read(...args);
    };
    const stream = await openExport(token);
    await stream.finished;
    expect(stream.text()).not.toContain('"end":true');
    // The head and the chunks read before the revocation was seen: the third at most.
    const chunkLines = stream
      .text()
      .split('\n')
      .filter((line) => line.startsWith('{"cursor"'));
    expect(chunkLines.length).toBeGreaterThanOrEqual(2);
    expect(chunkLines.length).toBeLessThanOrEqual(3);
    expect(reads).toBeLessThanOrEqual(3);
  });

  it('a closing server cuts its export streams (no end line) instead of waiting for them', async () => {
    const server = await start({}, 20_000);
    const stream = await openExport(server.tokens.owner);
    await stream.lines(2);
    stream.response.pause();
    // The grace for in-flight requests is a minute here: only the cut lets close() return.
    const closed = server.app.close().then(() => 'closed');
    const outcome = await Promise.race([
      closed,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
    ]);
    expect(outcome).toBe('closed');
    stream.response.resume();
    await stream.finished;
    expect(stream.text()).not.toContain('"end":true');
  });

  it('answers a list request while an export of 20,000 events streams to a slow reader', async () => {
    const server = await start({}, 20_000);
    const stream = await openExport(server.tokens.owner);
    await stream.lines(2);
    // The reader takes a little at a time; the export is far from done when the list is asked.
    let ended = false;
    let listAnsweredBeforeEnd: boolean | undefined;
    stream.response.on('data', () => {
      stream.response.pause();
      setTimeout(() => stream.response.resume(), 5);
    });
    void stream.finished.then(() => {
      ended = true;
    });
    const list = fetch(`http://127.0.0.1:${port}${LIST}?per_page=10`, {
      headers: { authorization: `Bearer ${server.tokens.owner}` },
    }).then((response) => {
      listAnsweredBeforeEnd = !ended;
      return response;
    });
    expect((await list).status).toBe(200);
    expect(listAnsweredBeforeEnd).toBe(true);
    await stream.finished;
    const lines = stream.text().trimEnd().split('\n');
    expect(lines.at(-1)).toBe('{"end":true,"count":20000}');
  });

  it('a token out of budget pauses the stream until its window resets, then sends every row', async () => {
    // Two requests a window: the export's start is one, its rows 1,001–2,000 the other; rows
    // 2,001–3,500 wait for the next window.
    const windowMs = 400;
    const server = await start({ rateLimitPerMinute: 2, rateLimitWindowMs: windowMs }, 3500);
    const started = Date.now();
    const stream = await openExport(server.tokens.owner);
    expect(stream.response.statusCode).toBe(200);
    const lines = await stream.lines(3);
    expect(JSON.parse(lines[2] as string).rows).toHaveLength(1000);
    await stream.finished;
    const all = stream.text().trimEnd().split('\n');
    expect(all.at(-1)).toBe('{"end":true,"count":3500}');
    const rows = all.slice(1, -1).flatMap((line) => JSON.parse(line).rows as unknown[][]);
    expect(rows.map((row) => (row[17] as { n: number }).n)).toEqual(
      Array.from({ length: 3500 }, (_, n) => n),
    );
    // Paused for the rest of the first window at least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(windowMs - 50);
  });
});
