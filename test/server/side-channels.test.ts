import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';
import { openStream } from '../helpers/sse-client.js';

const LIST = '/api/v1/organizations/default/audit-logs';
const STREAM = `${LIST}/stream`;

/** What another organization's answer tells the caller, sans the parts that name the request. */
const answerOf = (response: { statusCode: number; body: string; headers: Record<string, unknown> }) => ({
  status: response.statusCode,
  body: response.body,
  type: response.headers['content-type'],
});

describe('no side channel into events the caller may not see', () => {
  let fixture: Fixture;
  let base: string;
  const auth = (token?: string) => ({ authorization: `Bearer ${token ?? fixture.tokens.owner}` });
  const ingestOther = (events: EventInput[]) =>
    fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/other/audit-logs',
      payload: { events },
      token: fixture.tokens.otherOrg,
    });

  beforeEach(async () => {
    fixture = await createFixture({ followerPollMs: 50, shutdownGraceMs: 200 });
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(() => fixture.close());

  it("after=<id> of an event outside the caller's scope is answered exactly like an unknown id", async () => {
    const [hidden] = await fixture.ingest([
      { action: 'billing.payment_failed', actor: { email: 'sam@example.net' } },
    ]);
    await fixture.ingest([{ action: 'user.login', actor: { email: 'mia@example.com' } }]);
    const probe = (id: string) =>
      fixture.request({ method: 'GET', url: `${LIST}?after=${id}`, token: fixture.tokens.member });
    const outOfScope = await probe(hidden?.id as string);
    const unknown = await probe('log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E');
    expect(outOfScope.statusCode).toBe(unknown.statusCode);
    expect(answerOf(outOfScope)).toEqual(answerOf(unknown));
    // The owner, who may see it, still can follow after it.
    const owner = await fixture.request({ method: 'GET', url: `${LIST}?after=${hidden?.id}` });
    expect(owner.statusCode).toBe(200);
  });

  it("stream positions do not reveal another organization's volume", async () => {
    const stream = await openStream(`${base}${STREAM}`, auth());
    await fixture.ingest([{ action: 'tunnel.created' }]);
    await ingestOther(Array.from({ length: 50 }, () => ({ action: 'user.login' })));
    await fixture.ingest([{ action: 'tunnel.deleted' }]);
    const [first, second] = await stream.waitFor(2);
    const announced = stream.comments.find((comment) => comment.startsWith('connected at position'));
    // A number here is a count of every organization's events; the position must say nothing of it.
    for (const position of [first?.id, second?.id]) expect(position).not.toMatch(/^\d+$/);
    expect(announced).toBeDefined();
    expect(announced).not.toMatch(/position \d+$/);
    stream.close();
  });

  it('resumes from an opaque position with no gap and no duplicate, and refuses it in another organization', async () => {
    const first = await openStream(`${base}${STREAM}`, auth());
    await fixture.ingest([{ action: 'review.triggered', metadata: { n: 1 } }]);
    const [seen] = await first.waitFor(1);
    first.close();
    await fixture.ingest([2, 3].map((n) => ({ action: 'review.triggered', metadata: { n } })));
    const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': seen?.id ?? '' });
    const messages = await resumed.waitFor(2);
    expect(messages.map((message) => JSON.parse(message.data).metadata.n)).toEqual([2, 3]);
    resumed.close();
    const elsewhere = await fetch(`${base}/api/v1/organizations/other/audit-logs/stream`, {
      headers: { ...auth(fixture.tokens.otherOrg), 'last-event-id': seen?.id ?? '' },
    });
    expect(elsewhere.status).toBe(400);
  });

  it('a fresh stream resumes from its announced position without missing what came before the first event', async () => {
    const first = await openStream(`${base}${STREAM}`, auth());
    // Waited for, not slept for: on a loaded machine the comment can arrive after any fixed sleep.
    await expect.poll(() => first.comments.some((comment) => comment.startsWith('connected'))).toBe(true);
    const announced = /^connected at position (\S+)$/.exec(
      first.comments.find((comment) => comment.startsWith('connected')) ?? '',
    )?.[1];
    expect(announced).toBeDefined();
    first.close();
    await fixture.ingest([{ action: 'review.triggered', metadata: { n: 1 } }]);
    const resumed = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': announced ?? '' });
    const [missed] = await resumed.waitFor(1);
    expect(JSON.parse(missed?.data ?? '').metadata.n).toBe(1);
    resumed.close();
  });

  it('a numeric Last-Event-ID of an older server resumes only within the history it could have named', async () => {
    await fixture.ingest([{ action: 'review.triggered' }]);
    // A fresh database has no positions from before opaque ones: any number past 0 was never issued.
    const legacy = await fetch(`${base}${STREAM}`, { headers: { ...auth(), 'last-event-id': '5' } });
    expect(legacy.status).toBe(400);
    const fromStart = await openStream(`${base}${STREAM}`, { ...auth(), 'last-event-id': '0' });
    expect(fromStart.status).toBe(200);
    await fromStart.waitFor(1);
    fromStart.close();
  });

  itOnSqlite('a list cursor carries no global position, and is refused in another organization', async () => {
    await fixture.ingest([{ action: 'tunnel.created' }, { action: 'tunnel.deleted' }]);
    const page = await fixture.request({ method: 'GET', url: `${LIST}?action=tunnel.*&per_page=1` });
    const cursor = page.json().pagination.next_cursor as string;
    const lastId = page.json().data[0].id as string;
    const seq = fixture.db.prepare('SELECT seq FROM events WHERE id = ?').pluck().get(lastId) as number;
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString())).not.toContain(seq);
    const next = await fixture.request({
      method: 'GET',
      url: `${LIST}?action=tunnel.*&per_page=1&cursor=${cursor}`,
    });
    expect(next.json().data[0].action).toBe('tunnel.created');
    const elsewhere = await fixture.request({
      method: 'GET',
      url: `/api/v1/organizations/other/audit-logs?per_page=1&cursor=${cursor}`,
      token: fixture.tokens.otherOrg,
    });
    expect(elsewhere.statusCode).toBe(400);
    // A cursor of an older server names a plain position: only one it could have issued is taken.
    const forged = Buffer.from(JSON.stringify([1, 'd', Date.now(), seq])).toString('base64url');
    const legacy = await fixture.request({ method: 'GET', url: `${LIST}?per_page=1&cursor=${forged}` });
    expect(legacy.statusCode).toBe(400);
  });

  it("a search's Server-Timing says nothing of other organizations' matches", async () => {
    await ingestOther(
      Array.from({ length: 200 }, () => ({ action: 'user.login', metadata: { note: 'zebra' } })),
    );
    const search = await fixture.request({ method: 'GET', url: `${LIST}?q=zebra` });
    expect(search.statusCode).toBe(200);
    expect(search.json().data).toEqual([]);
    expect(search.headers['server-timing']).toBeUndefined();
  });
});
