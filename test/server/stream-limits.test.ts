import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { openStream, type TestStream } from '../helpers/sse-client.js';

const STREAM = '/api/v1/organizations/default/audit-logs/stream';

describe('streams and connections cannot exhaust the server', () => {
  let fixture: Fixture | undefined;
  let port = 0;
  const opened: TestStream[] = [];
  const sockets: Socket[] = [];

  const start = async (options: Partial<AppOptions>) => {
    fixture = await createFixture({ followerPollMs: 50, shutdownGraceMs: 200, ...options });
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    return fixture;
  };
  const open = async (token: string) => {
    const stream = await openStream(`http://127.0.0.1:${port}${STREAM}`, {
      authorization: `Bearer ${token}`,
    });
    opened.push(stream);
    return stream;
  };
  /** `open`, again until the server lets go of a place: it frees one when it hears the close, not at once. */
  const openOnceFreed = async (token: string) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const stream = await open(token);
      if (stream.status !== 429 || Date.now() > deadline) return stream;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const rawSocket = async () => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  };
  const closedWithin = (socket: Socket, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed || socket.readableEnded) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  afterEach(async () => {
    for (const stream of opened.splice(0)) stream.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    await fixture?.close();
    fixture = undefined;
  });

  it('one token cannot open more than its share of streams: the next is a 429 problem with Retry-After', async () => {
    const { tokens } = await start({ maxStreamsPerToken: 2 });
    expect((await open(tokens.owner)).status).toBe(200);
    expect((await open(tokens.owner)).status).toBe(200);
    const refused = await fetch(`http://127.0.0.1:${port}${STREAM}`, {
      headers: { authorization: `Bearer ${tokens.owner}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/2 streams/);
    // Another token of the same address is not affected, and a closed stream frees its place.
    expect((await open(tokens.admin)).status).toBe(200);
    opened[0]?.close();
    expect((await openOnceFreed(tokens.owner)).status).toBe(200);
  });

  it('a client that hangs up at once does not keep its place', async () => {
    const { tokens } = await start({ maxStreamsPerToken: 1 });
    for (let attempt = 0; attempt < 5; attempt++) {
      const socket = await rawSocket();
      socket.write(
        `GET ${STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens.owner}\r\n\r\n`,
      );
      socket.destroy();
    }
    expect((await openOnceFreed(tokens.owner)).status).toBe(200);
  });

  it('one address cannot open more than its share of streams, whatever the tokens', async () => {
    const { tokens } = await start({ maxStreamsPerAddress: 3 });
    for (const token of [tokens.owner, tokens.admin, tokens.teamAdmin])
      expect((await open(token)).status).toBe(200);
    const refused = await fetch(`http://127.0.0.1:${port}${STREAM}`, {
      headers: { authorization: `Bearer ${tokens.member}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });

  it('a client that never reads is cut off once its unsent buffer passes the bound', async () => {
    const server = await start({ streamMaxBufferedBytes: 256 * 1024 });
    const socket = await rawSocket();
    socket.write(
      `GET ${STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.tokens.owner}\r\n\r\n`,
    );
    socket.pause();
    const { hub } = server.app.services;
    for (let wait = 0; hub.followerCount() === 0 && wait < 100; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hub.followerCount()).toBe(1);
    const filler = 'x'.repeat(2000);
    // About 8 MB: far more than the kernel's socket buffers and the bound together.
    for (let batch = 0; batch < 4 && hub.followerCount() > 0; batch++) {
      await server.ingest(
        Array.from({ length: 1000 }, (_, n) => ({ action: 'review.triggered', metadata: { n, filler } })),
      );
    }
    for (let wait = 0; hub.followerCount() > 0 && wait < 100; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hub.followerCount()).toBe(0);
  });

  it('a client that reads resumes through a backlog far larger than the bound, without being cut off', async () => {
    const server = await start({ streamMaxBufferedBytes: 64 * 1024 });
    const filler = 'x'.repeat(2000);
    for (let batch = 0; batch < 3; batch++) {
      await server.ingest(
        Array.from({ length: 1000 }, (_, n) => ({ action: 'review.triggered', metadata: { n, filler } })),
      );
    }
    const stream = await openStream(`http://127.0.0.1:${port}${STREAM}?action=review.triggered`, {
      authorization: `Bearer ${server.tokens.owner}`,
      'last-event-id': '0',
    });
    opened.push(stream);
    const messages = await stream.waitFor(3000, 20_000);
    expect(new Set(messages.map((message) => message.id)).size).toBe(3000);
  });

  it('a connection that sends its headers slowly is closed within the headers timeout', async () => {
    await start({ headersTimeoutMs: 500 });
    const socket = await rawSocket();
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const closed = await closedWithin(socket, 3000);
    clearInterval(drip);
    expect(closed).toBe(true);
  });

  it('a stream outlives the request timeout: it bounds receiving the request, not the answer', async () => {
    const server = await start({ headersTimeoutMs: 300, requestTimeoutMs: 500 });
    const stream = await open(server.tokens.owner);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.ingest([{ action: 'tunnel.created' }]);
    const [event] = await stream.waitFor(1);
    expect(JSON.parse(event?.data ?? '').action).toBe('tunnel.created');
  });

  it('connections past the cap are refused', async () => {
    await start({ maxConnections: 2 });
    await rawSocket();
    await rawSocket();
    const third = await rawSocket();
    expect(await closedWithin(third, 2000)).toBe(true);
  });
});
