import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { openDatabase } from '../../src/store/database.js';
import type { StoredEvent } from '../../src/store/event-rows.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';
import { openStream } from '../helpers/sse-client.js';

const STREAM = '/api/v1/organizations/default/audit-logs/stream';

describe('GET audit-logs/stream (Server-Sent Events)', () => {
  let fixture: Fixture;
  let base: string;
  const auth = (token?: string) => ({ authorization: `Bearer ${token ?? fixture.tokens.owner}` });

  beforeEach(async () => {
    fixture = await createFixture({
      heartbeatIntervalMs: 100,
      followerPollMs: 50,
      shutdownGraceMs: 200,
      // One test follows with 20 streams of one token: twice the default cap.
      maxStreamsPerToken: 20,
    });
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(() => fixture.close());

  it('delivers new matching events with their opaque position as the SSE id, and heartbeats', async () => {
    const stream = await openStream(`${base}${STREAM}?category=tunnel`, auth());
    expect(stream.status).toBe(200);
    await fixture.ingest([
      { action: 'user.login' },
      { action: 'tunnel.created' },
      { action: 'tunnel.deleted' },
    ]);
    const [created, deleted] = await stream.waitFor(2);
    expect(JSON.parse(created?.data ?? '').action).toBe('tunnel.created');
    expect(JSON.parse(deleted?.data ?? '').action).toBe('tunnel.deleted');
    // Positions are opaque (test/server/side-channels.test.ts): distinct, and not numbers to compare.
    expect(deleted?.id).toMatch(/^[\w-]{22}$/);
    expect(deleted?.id).not.toBe(created?.id);
    // A heartbeat every 100 ms: waited for, not slept for (a loaded machine reads it late).
    await expect.poll(() => stream.comments, { timeout: 5000 }).toContain('heartbeat');
    expect(stream.messages).toHaveLength(2);
    stream.close();
  });

  it('resumes after Last-Event-ID with no gap and no duplicate', async () => {
    const first = await openStream(`${base}${STREAM}`, auth());
    await fixture.ingest([{ action: 'review.triggered', metadata: { n: 1 } }]);
    const [seen] = await first.waitFor(1);
    first.close();
    // Missed while disconnected:
    await fixture.ingest([2, 3, 4].map((n) => ({ action: 'review.triggered', metadata: { n } })));
    const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': seen?.id ?? '' });
    await fixture.ingest([{ action: 'review.triggered', metadata: { n: 5 } }]);
    const messages = await resumed.waitFor(4);
    expect(messages.map((message) => JSON.parse(message.data).metadata.n)).toEqual([2, 3, 4, 5]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resumed.messages).toHaveLength(4);
    resumed.close();
  });

  // Review finding 2: the route subscribed at the old position when the catch-up matched
  // nothing, and the hub read the organization's history again from there.
  it('DoS: a filtered stream resumed from an old Last-Event-ID follows from the end of the log', async () => {
    const first = await openStream(`${base}${STREAM}`, auth());
    await fixture.ingest([{ action: 'user.login' }]);
    const [old] = await first.waitFor(1);
    first.close();
    await fixture.ingest(Array.from({ length: 50 }, () => ({ action: 'user.login' })));
    const { hub } = fixture.app.services;
    const subscribe = hub.subscribe;
    const positions: number[] = [];
    hub.subscribe = (follower) => {
      positions.push(follower.afterSeq);
      return subscribe(follower);
    };
    const endSeq = await fixture.app.services.engine.stores.events.endSeq(1);
    const resumed = await openStream(`${base}${STREAM}?category=tunnel`, {
      ...auth(),
      'last-event-id': old?.id ?? '',
    });
    await fixture.ingest([{ action: 'tunnel.created' }]);
    const [tunnel] = await resumed.waitFor(1);
    expect(JSON.parse(tunnel?.data ?? '').action).toBe('tunnel.created');
    // The tree sealer may sign a checkpoint (a self-audit event) between the read of endSeq
    // above and the request: the subscription is at the end of the log, not at the old position.
    expect(positions).toHaveLength(1);
    expect(positions[0]).toBeGreaterThanOrEqual(endSeq);
    hub.subscribe = subscribe;
    resumed.close();
  });

  // Review finding 6: a backlog page is read from the database, not delivered by the hub, and
  // skipped the hub's access re-check: a token revoked after the request was authenticated
  // still got what was written after the revocation.
  itOnSqlite(
    'access: a resumed stream whose token is revoked before its backlog is read is sent none of it',
    async () => {
      const first = await openStream(`${base}${STREAM}`, auth());
      await fixture.ingest([{ action: 'user.login' }]);
      const [old] = await first.waitFor(1);
      first.close();
      const { events } = fixture.app.services.engine.stores;
      const endSeq = events.endSeq;
      events.endSeq = async (orgId) => {
        events.endSeq = endSeq;
        await adminOf(createStores(fixture.db)).revokeToken('default', fixture.tokens.owner.slice(0, 12));
        await fixture.ingest([{ action: 'tunnel.created' }], fixture.tokens.ingest);
        return endSeq(orgId);
      };
      const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': old?.id ?? '' });
      await resumed.ended;
      expect(resumed.messages).toEqual([]);
      // Ended at once (the reason's comment goes only when nothing is unsent); a reconnect is refused.
      expect((await fetch(`${base}${STREAM}`, { headers: auth() })).status).toBe(401);
    },
  );

  // Review finding 7: a read failing after the response was hijacked left the stream open and
  // subscribed, its held batches growing with every event for as long as the client stayed.
  it('resource exhaustion: a read failing after the stream opened ends it and its subscription', async () => {
    const { events } = fixture.app.services.engine.stores;
    const page = events.page;
    events.page = async () => {
      events.page = page;
      throw new Error('disk I/O error');
    };
    const stream = await openStream(`${base}${STREAM}`, auth());
    const ended = await Promise.race([
      stream.ended.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 2000)),
    ]);
    expect(ended).toBe(true);
    expect(fixture.app.services.hub.followerCount()).toBe(0);
    expect(fixture.app.services.streams.count()).toBe(0);
    stream.close();
  });

  it("applies the caller's permissions: a member sees only their own events", async () => {
    const stream = await openStream(`${base}${STREAM}`, auth(fixture.tokens.member));
    await fixture.ingest([
      { action: 'user.login', actor: { email: 'someone@example.com' } },
      { action: 'user.login', actor: { email: 'mia@example.com' } },
    ]);
    const [only] = await stream.waitFor(1);
    expect(JSON.parse(only?.data ?? '').actor.email).toBe('mia@example.com');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.messages).toHaveLength(1);
    stream.close();
  });

  itOnSqlite('serves many followers from one read and sees events written by another process', async () => {
    const streams = await Promise.all(
      Array.from({ length: 20 }, () => openStream(`${base}${STREAM}`, auth())),
    );
    // An admin command writes to the same file from its own connection, as `audit server token create` does.
    const otherConnection = openDatabase(fixture.dbFile);
    await adminOf(createStores(otherConnection)).createToken(
      'default',
      'alice@example.com',
      'read',
      'from-cli',
    );
    otherConnection.close();
    for (const stream of streams) {
      const [event] = await stream.waitFor(1);
      expect(JSON.parse(event?.data ?? '').action).toBe('security.api_token_created');
      stream.close();
    }
  });

  itOnSqlite(
    'hands the followers that take a whole batch that same batch, and a filtered one its part',
    async () => {
      const { hub } = fixture.app.services;
      const orgId = Number(
        fixture.db.prepare("SELECT id FROM organizations WHERE slug = 'default'").pluck().get(),
      );
      const delivered = new Map<string, (readonly StoredEvent[])[]>();
      const afterSeq = Number(fixture.db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get());
      const follow = (name: string, accepts: (event: AuditEvent) => boolean) => {
        delivered.set(name, []);
        return hub.subscribe({
          orgId,
          afterSeq,
          accepts,
          deliver: (batch) => delivered.get(name)?.push(batch),
          close() {},
        });
      };
      const unsubscribe = [
        follow('everything', () => true),
        follow('everything too', () => true),
        follow('tunnels', (event) => event.category === 'tunnel'),
      ];
      await fixture.ingest([{ action: 'tunnel.created' }, { action: 'user.login' }]);
      await hub.settle();
      for (const stop of unsubscribe) stop();
      const [whole] = delivered.get('everything') ?? [];
      expect(whole?.map((stored) => stored.event.action)).toEqual(['tunnel.created', 'user.login']);
      // The same array: the stream route turns it into bytes once for all of them.
      expect(delivered.get('everything too')?.[0]).toBe(whole);
      const [part] = delivered.get('tunnels') ?? [];
      expect(part?.map((stored) => stored.event.action)).toEqual(['tunnel.created']);
    },
  );

  it('sends every follower of a shared batch the same events, and a resumed one no duplicate', async () => {
    const [one, two] = await Promise.all([
      openStream(`${base}${STREAM}`, auth()),
      openStream(`${base}${STREAM}`, auth()),
    ]);
    await fixture.ingest([1, 2, 3].map((n) => ({ action: 'review.triggered', metadata: { n } })));
    const seen = await one.waitFor(3);
    expect(await two.waitFor(3)).toEqual(seen);
    // Resumed from the first event: the backlog sends 2 and 3; the next batch (4, 5) is shared.
    const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': seen[0]?.id ?? '' });
    await fixture.ingest([4, 5].map((n) => ({ action: 'review.triggered', metadata: { n } })));
    const all = await one.waitFor(5);
    const messages = await resumed.waitFor(4);
    expect(messages).toEqual(all.slice(1));
    expect(await two.waitFor(5)).toEqual(all);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resumed.messages).toHaveLength(4);
    for (const stream of [one, two, resumed]) stream.close();
  });

  it('refuses bad filters and a malformed Last-Event-ID with a 400 problem', async () => {
    const badFilter = await fetch(`${base}${STREAM}?from=someday`, { headers: auth() });
    expect(badFilter.status).toBe(400);
    const badId = await fetch(`${base}${STREAM}`, { headers: { ...auth(), 'last-event-id': 'abc' } });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { param: string }).param).toBe('Last-Event-ID');
  });
});
