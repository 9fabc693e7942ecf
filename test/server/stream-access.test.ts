import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { openStream, type TestStream } from '../helpers/sse-client.js';

const STREAM = '/api/v1/organizations/default/audit-logs/stream';

/** How long a stream may outlive the loss of its access: a few re-check periods, on a slow machine. */
const ENDS_WITHIN_MS = 3000;

/** Runs `change` from its own connection to the database file, as `audit server …` does. */
async function inAnotherProcess<T>(
  fixture: Fixture,
  change: (admin: ReturnType<typeof adminOf>) => Promise<T>,
): Promise<T> {
  const connection = openDatabase(fixture.dbFile);
  try {
    return await change(adminOf(createStores(connection)));
  } finally {
    connection.close();
  }
}

async function endsWithin(stream: TestStream, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const ended = await Promise.race([stream.ended.then(() => true as const), timedOut]);
  clearTimeout(timer);
  return ended;
}

describe('a live stream lasts only as long as its token and role allow', () => {
  let fixture: Fixture;
  let base: string;
  const open = (token: string, headers: Record<string, string> = {}) =>
    openStream(`${base}${STREAM}`, { authorization: `Bearer ${token}`, ...headers });
  const freshToken = async (email = 'olga@example.com') =>
    (await inAnotherProcess(fixture, (admin) => admin.createToken('default', email, 'read', 'streamer')))
      .token;

  beforeEach(async () => {
    fixture = await createFixture({ followerPollMs: 50, streamRecheckMs: 200, shutdownGraceMs: 200 });
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(() => fixture.close());

  it('a stream whose token is revoked by another process ends, saying why, and sends nothing after', async () => {
    const token = await freshToken();
    const stream = await open(token);
    expect(stream.status).toBe(200);
    await fixture.ingest([{ action: 'tunnel.created' }]);
    await stream.waitFor(1);
    await inAnotherProcess(fixture, (admin) => admin.revokeToken('default', token.slice(0, 12)));
    await fixture.ingest([{ action: 'tunnel.deleted', metadata: { secret_plan: 'after revocation' } }]);
    expect(await endsWithin(stream, ENDS_WITHIN_MS)).toBe(true);
    expect(stream.messages.map((message) => JSON.parse(message.data).action)).toEqual(['tunnel.created']);
    expect(stream.comments.at(-1)).toMatch(/token.*revoked/i);
    const again = await fetch(`${base}${STREAM}`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);
  });

  it('an idle stream ends when its token is revoked without any event being written', async () => {
    const token = await freshToken();
    const stream = await open(token);
    // Straight to the table, as a script might: no audit event wakes anyone; only the re-check sees it.
    const connection = openDatabase(fixture.dbFile);
    connection
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE prefix = ?')
      .run(Date.now(), token.slice(0, 12));
    connection.close();
    expect(await endsWithin(stream, ENDS_WITHIN_MS)).toBe(true);
    expect(stream.comments.at(-1)).toMatch(/revoked/i);
  });

  it("an admin demoted to member stops receiving the organization's events at once", async () => {
    const token = await freshToken('olga@example.com');
    const stream = await open(token);
    await inAnotherProcess(fixture, (admin) =>
      admin.addUser('default', { email: 'olga@example.com', role: 'member' }),
    );
    await fixture.ingest([{ action: 'billing.payment_failed', actor: { email: 'someone@example.com' } }]);
    expect(await endsWithin(stream, ENDS_WITHIN_MS)).toBe(true);
    expect(stream.messages).toEqual([]);
    expect(stream.comments.at(-1)).toMatch(/role|access/i);
    // Reconnected, the stream is the member's own: someone else's event stays out of it.
    const narrowed = await open(token);
    await fixture.ingest([
      { action: 'billing.payment_failed', actor: { email: 'someone@example.com' } },
      { action: 'user.login', actor: { email: 'olga@example.com' } },
    ]);
    const [only] = await narrowed.waitFor(1);
    expect(JSON.parse(only?.data ?? '').actor.email).toBe('olga@example.com');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(narrowed.messages).toHaveLength(1);
    narrowed.close();
  });

  it('a stream of a user whose personal data is erased ends with their tokens', async () => {
    const stream = await open(fixture.tokens.member);
    const erasure = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/gdpr/erasures',
      payload: { user: 'mia@example.com' },
    });
    expect(erasure.statusCode, erasure.body).toBe(200);
    expect(await endsWithin(stream, ENDS_WITHIN_MS)).toBe(true);
    const me = await fetch(`${base}/api/v1/me`, {
      headers: { authorization: `Bearer ${fixture.tokens.member}` },
    });
    expect(me.status).toBe(401);
  });

  it('a stream whose access is unchanged keeps running through the re-checks', async () => {
    const stream = await open(fixture.tokens.owner);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await fixture.ingest([{ action: 'tunnel.created' }]);
    await stream.waitFor(1);
    expect(await endsWithin(stream, 100)).toBe(false);
    stream.close();
  });
});
