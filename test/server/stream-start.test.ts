import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture, holdAnswersToContract } from '../helpers/server-fixture.js';
import { openStream, type TestStream } from '../helpers/sse-client.js';

const STREAM = '/api/v1/organizations/default/audit-logs/stream';
const INGEST = '/api/v1/organizations/default/audit-logs';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const review = (n: number) => ({ action: 'review.triggered', metadata: { n } });
const numbers = (stream: TestStream) =>
  stream.messages.filter((m) => m.event === 'message').map((m) => JSON.parse(m.data).metadata?.n);

describe('where a stream starts', () => {
  let fixture: Fixture;
  let base: string;
  const auth = () => ({ authorization: `Bearer ${fixture.tokens.owner}` });

  beforeEach(async () => {
    // The hub's own poll is slow here, so the stream cannot lean on it to learn of other writers.
    fixture = await createFixture({ heartbeatIntervalMs: 100, followerPollMs: 60_000, shutdownGraceMs: 200 });
    base = await listen(fixture.app);
  });
  afterEach(() => fixture.close());

  it('a new stream does not replay events another process wrote before it connected', async () => {
    // As `audit server user add` / `token create` do: their own connection to the same file.
    const otherProcess = openDatabase(fixture.dbFile);
    const admin = adminOf(createStores(otherProcess));
    await admin.addUser('default', { email: 'new@example.com', name: 'New Person', role: 'member' });
    await admin.createToken('default', 'new@example.com', 'read', 'from-cli');
    otherProcess.close();

    const stream = await openStream(`${base}${STREAM}`, auth());
    await fixture.ingest([review(1)]);
    const [first] = await stream.waitFor(1);
    expect(JSON.parse(first?.data ?? '').action).toBe('review.triggered');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(stream.messages.map((m) => JSON.parse(m.data).action)).toEqual(['review.triggered']);
    stream.close();
  });

  it('a stream resumed past the end of the log says so, and goes on from the end with no gap', async () => {
    const orgId = Number(
      fixture.db.prepare("SELECT id FROM organizations WHERE slug = 'default'").pluck().get(),
    );
    const { positions } = fixture.app.services;
    const { events } = fixture.app.services.sqlite;
    // A position this log never issued: a client that saw a newer copy of the database.
    const ahead = positions.encode(orgId, events.maxSeq() + 1000);
    const stream = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': ahead });
    expect(stream.status).toBe(200);
    const [notice] = await stream.waitFor(1);
    expect(notice?.event).toBe('position-ahead');
    const end = JSON.parse(notice?.data ?? '').position as string;
    expect(end).toMatch(/^[\w-]{22}$/);
    // The notice carries the end as its id, so any EventSource client resumes from there.
    expect(notice?.id).toBe(end);

    await fixture.ingest([review(1), review(2)]);
    await stream.waitFor(3);
    expect(numbers(stream)).toEqual([1, 2]);
    stream.close();

    // Resuming from the announced end gets every event written since, and no notice.
    const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': end });
    await resumed.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(resumed.messages.map((m) => m.event)).toEqual(['message', 'message']);
    expect(numbers(resumed)).toEqual([1, 2]);
    resumed.close();
  });

  it('the API document names the position-ahead notice a client must expect', async () => {
    const document = (await fixture.request({ method: 'GET', url: '/openapi.json' })).json();
    const operation = document.paths['/api/v1/organizations/{org}/audit-logs/stream'].get;
    expect(operation.description).toContain('event: position-ahead');
    expect(operation.description).toContain('data.position');
  });
});

describe('a stream resumed on a server restored from an older copy of its database', () => {
  it('is told its position is ahead of the log, then gets the events written after the restore', async () => {
    const fixture = await createFixture({ heartbeatIntervalMs: 100, followerPollMs: 50 });
    const oldCopy = join(fixture.dir, 'older.db');
    await fixture.ingest([review(1)]);
    await fixture.db.backup(oldCopy);
    const base = await listen(fixture.app);
    const first = await openStream(`${base}${STREAM}`, {
      authorization: `Bearer ${fixture.tokens.owner}`,
    });
    await fixture.ingest([review(2), review(3), review(4)]);
    const seen = await first.waitFor(3);
    first.close();
    const lastSeen = seen.at(-1)?.id ?? '';
    await fixture.app.close();

    // The operator restores yesterday's copy; it holds the same position key.
    const restoredFile = join(fixture.dir, 'restored.db');
    copyFileSync(oldCopy, restoredFile);
    copyFileSync(`${fixture.dbFile}.key`, `${restoredFile}.key`);
    const restoredDb = openDatabase(restoredFile);
    const restored = await buildApp({ db: restoredDb, heartbeatIntervalMs: 100, followerPollMs: 50 });
    const contract = holdAnswersToContract(restored);
    try {
      const url = await listen(restored);
      const resumed = await openStream(`${url}${STREAM}`, {
        authorization: `Bearer ${fixture.tokens.owner}`,
        'last-event-id': lastSeen,
      });
      expect(resumed.status).toBe(200);
      const [notice] = await resumed.waitFor(1);
      expect(notice?.event).toBe('position-ahead');
      const post = await restored.inject({
        method: 'POST',
        url: INGEST,
        headers: { authorization: `Bearer ${fixture.tokens.owner}` },
        payload: { events: [review(5)] },
      });
      expect(post.statusCode).toBe(201);
      await resumed.waitFor(2);
      expect(numbers(resumed)).toEqual([5]);
      resumed.close();
    } finally {
      await restored.close();
      restoredDb.close();
      await fixture.close();
    }
    contract.assertSocketAnswersKept();
  });
});
