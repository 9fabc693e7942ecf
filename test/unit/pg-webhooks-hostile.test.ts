import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { openWithKey, webhookSecretLabel } from '../../src/store/secret-box.js';
import type { Webhook, WebhookFields } from '../../src/store/webhook-store.js';
import { WriteLockTimeoutError } from '../../src/store/write-gate.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Webhooks on PostgreSQL against what an attacker or a race could make of them (issue 23). Two
// engines on one database are two server instances (a pool each), sharing one secrets key.

const SECRET = 'the-signing-secret-nobody-may-read';
const SLACK: WebhookFields = {
  url: 'https://hooks.slack.com/services/T000/B000/credential-in-the-path',
  format: 'slack',
  patterns: [{ pattern: '', isPrefix: true }],
  categories: [],
  description: 'alerts',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describePostgres('webhooks on PostgreSQL, hostile', () => {
  let database: TestDatabase;
  let one: PgEngine;
  let two: PgEngine;
  let org: number;
  let other: number;
  const key = randomBytes(32);

  beforeAll(async () => {
    database = await migratedDatabase();
    one = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 3, secretsKey: key });
    two = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 3, secretsKey: key });
    org = (await one.stores.directory.ensureOrganization('acme')).organization.id;
    other = (await one.stores.directory.ensureOrganization('evil')).organization.id;
  }, 30_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  const row = async (webhook: Webhook) =>
    (
      await one.pool.query(
        'SELECT url, secret, deleted_at, row_to_json(w)::text AS whole FROM webhooks w WHERE id = $1',
        [webhook.rowId],
      )
    ).rows[0] as { url: string; secret: string; deleted_at: number | null; whole: string };

  it('two instances claiming at once in their writes never take one delivery (threat: a webhook sent twice)', async () => {
    const hook = await one.stores.webhooks.create(
      org,
      { ...SLACK, url: 'https://example.com/claims' },
      SECRET,
    );
    const count = 200;
    for (let i = 0; i < count; i += 50) {
      await one.stores.recorder.record(
        org,
        Array.from({ length: 50 }, (_, n) => ({ id: `claim-${i + n}`, action: 'user.login' })),
      );
    }
    const at = Date.now() + 1_000;
    const claimedBy = [one, two].map(() => [] as number[]);
    await Promise.all(
      [one, two].map(async (engine, instance) => {
        for (;;) {
          // The transaction stays open a moment after its claim, as a worker's may under load.
          const claimed = await engine.write(async (tx) => {
            const taken = await tx.deliveries.claim(hook.rowId, at, 5, at + 30_000);
            await sleep(2);
            return taken;
          });
          if (claimed.length === 0) return;
          for (const delivery of claimed) {
            expect(delivery.secret).toBe(SECRET);
            claimedBy[instance]?.push(delivery.id);
          }
          await engine.write(async (tx) => {
            for (const delivery of claimed) await tx.deliveries.delivered(delivery.id, 200, at);
          });
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(count);
    expect(new Set(all).size).toBe(count);
    expect(claimedBy.every((ids) => ids.length > 0)).toBe(true);
    const delivered = await one.stores.webhooks.deliveries(hook, { status: 'delivered', limit: 1000 });
    expect(delivered.map((record) => record.attempts)).toEqual(Array(count).fill(1));
    await one.stores.webhooks.remove(org, hook.id);
  });

  it('stores a secret sealed; one copied into another webhook row does not open there (threat: row swap)', async () => {
    const a = await one.stores.webhooks.create(org, SLACK, SECRET);
    const b = await one.stores.webhooks.create(
      org,
      { ...SLACK, url: 'https://example.com/b' },
      `${SECRET}-b`,
    );
    const stored = await row(a);
    expect(stored.secret.startsWith('sealed:v1:')).toBe(true);
    expect(stored.whole).not.toContain(SECRET);
    expect(await two.stores.webhooks.secretOf(a)).toBe(SECRET);
    // An attacker who can write the table puts A's sealed secret into B's row.
    await one.pool.query('UPDATE webhooks SET secret = $1 WHERE id = $2', [stored.secret, b.rowId]);
    await expect(one.stores.webhooks.secretOf(b)).rejects.toThrow(/unable to authenticate data/);
    await one.stores.recorder.record(org, [{ id: 'swap-1', action: 'user.login' }]);
    await expect(
      one.stores.deliveries.claim(b.rowId, Date.now() + 1_000, 10, Date.now() + 30_000),
    ).rejects.toThrow(/unable to authenticate data/);
    // A copy of the database without the key file opens nothing.
    expect(() => openWithKey(randomBytes(32), webhookSecretLabel(a.id), stored.secret)).toThrow();
    for (const hook of [a, b]) await one.stores.webhooks.remove(org, hook.id);
  });

  it("one organization cannot see, change or delete another's webhook by its id (threat: cross-tenant access)", async () => {
    const mine = await one.stores.webhooks.create(org, SLACK, SECRET);
    await one.stores.recorder.record(org, [{ id: 'tenant-1', action: 'user.login' }]);
    const before = await row(mine);
    const { webhooks } = two.stores;
    expect(await webhooks.find(other, mine.id)).toBeUndefined();
    expect((await webhooks.list(other)).map((hook) => hook.id)).not.toContain(mine.id);
    expect(await webhooks.update(other, mine.id, { url: 'https://attacker.example/' })).toBeUndefined();
    expect(await webhooks.remove(other, mine.id)).toBeUndefined();
    expect(await row(mine)).toEqual(before);
    // A webhook record forged with the other organization's id reaches nothing of the row.
    const forged = { ...mine, orgId: other };
    expect(await webhooks.deliveries(forged, { limit: 10 })).toEqual([]);
    await expect(webhooks.secretOf(forged)).rejects.toThrow(/not sealed/);
    expect(await webhooks.deliveries(mine, { limit: 10 })).toHaveLength(1);
    await one.stores.webhooks.remove(org, mine.id);
  });

  it('a deleted webhook keeps only its origin and no secret, even against an update racing the delete (threat: a credential kept)', async () => {
    const hook = await one.stores.webhooks.create(org, SLACK, SECRET);
    let removed!: () => void;
    const removedInTransaction = new Promise<void>((resolve) => {
      removed = resolve;
    });
    let commit!: () => void;
    const mayCommit = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const removing = one.write(async (tx) => {
      const answer = await tx.webhooks.remove(org, hook.id);
      removed();
      await mayCommit;
      return answer;
    });
    await removedInTransaction;
    // Another instance updates the webhook it still sees as live: it waits for the delete.
    const updating = two.stores.webhooks.update(org, hook.id, {
      url: 'https://hooks.slack.com/services/T000/B000/credential-again',
    });
    await sleep(300);
    commit();
    expect((await removing)?.id).toBe(hook.id);
    expect(await updating).toBeUndefined();
    const stored = await row(hook);
    expect(stored).toMatchObject({ url: 'https://hooks.slack.com', secret: '' });
    expect(stored.deleted_at).not.toBeNull();
    expect(stored.whole).not.toContain('credential');
  });

  it('an update that waits on a held webhook past the lock timeout fails as a 503, not a hang (threat: requests pile up)', async () => {
    const hook = await one.stores.webhooks.create(org, SLACK, SECRET);
    const impatient = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 1,
      secretsKey: key,
      lockTimeoutMs: 100,
    });
    let locked!: () => void;
    const held = new Promise<void>((resolve) => {
      locked = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = one.write(async (tx) => {
      await tx.webhooks.update(org, hook.id, { description: 'held' });
      locked();
      await released;
    });
    try {
      await held;
      const started = Date.now();
      await expect(
        impatient.stores.webhooks.update(org, hook.id, { description: 'late' }),
      ).rejects.toBeInstanceOf(WriteLockTimeoutError);
      await expect(impatient.stores.webhooks.remove(org, hook.id)).rejects.toBeInstanceOf(
        WriteLockTimeoutError,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      release();
      await holding;
      await impatient.close();
    }
    expect((await one.stores.webhooks.find(org, hook.id))?.description).toBe('held');
    await one.stores.webhooks.remove(org, hook.id);
  });

  it('the retention purge takes the deliveries of the events it removes', async () => {
    const hook = await one.stores.webhooks.create(
      org,
      { ...SLACK, url: 'https://example.com/purge' },
      SECRET,
    );
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await one.stores.recorder.record(org, [
      { id: 'purge-old', action: 'user.login', timestamp: old },
      { id: 'purge-new', action: 'user.login' },
    ]);
    expect((await one.stores.webhooks.deliveries(hook, { limit: 10 })).map((d) => d.eventId)).toEqual([
      'purge-new',
      'purge-old',
    ]);
    expect(await one.stores.events.purgeBefore(org, Date.now() - 30 * 86_400_000)).toBeGreaterThan(0);
    expect((await one.stores.webhooks.deliveries(hook, { limit: 10 })).map((d) => d.eventId)).toEqual([
      'purge-new',
    ]);
    const claimed = await one.stores.deliveries.claim(
      hook.rowId,
      Date.now() + 1_000,
      10,
      Date.now() + 30_000,
    );
    expect(claimed.map((delivery) => delivery.event.id)).toEqual(['purge-new']);
  });
});
