import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgDeliveryQueue } from '../../src/store/pg/delivery-queue.js';
import { createPgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { normalizeAll } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// The webhook outbox's worker side on PostgreSQL (issue 23, point 2): instances claiming at once
// take different deliveries (FOR UPDATE SKIP LOCKED + a lease in one statement), so no delivery
// is in flight twice; each is leased once, oldest first, until every one is delivered.

const DELIVERIES = 300;
const INSTANCES = 3;

describePostgres('webhook deliveries claimed by several instances on PostgreSQL', () => {
  let database: TestDatabase;
  const pools: PgPool[] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    for (let i = 0; i <= INSTANCES; i++) pools.push(createPgPool(database.url, { max: 2 }));
    const admin = pools[0] as PgPool;
    await admin.query("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', 0)");
    await admin.query(`INSERT INTO webhooks (id, public_id, org_id, url, format, secret, created_at, updated_at)
      VALUES (1, 'wh_1', 1, 'https://example.com/hook', 'json', 'sealed-1', 0, 0)`);
    await admin.query(
      "INSERT INTO webhook_patterns (org_id, webhook_id, pattern, is_prefix, position) VALUES (1, 1, '', true, 0)",
    );
    const store = createPgEventStore(admin);
    const at = Date.UTC(2026, 10, 20);
    const inputs = Array.from({ length: DELIVERIES }, (_, i) => ({ id: `e${i}`, action: 'user.login' }));
    // Received at increasing times: a delivery is due from its event's arrival, oldest first.
    for (let i = 0; i < DELIVERIES; i += 50)
      await store.ingest(1, normalizeAll(inputs.slice(i, i + 50), at + i), at + i);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await database?.drop();
  });

  it(`${INSTANCES} instances claiming ${DELIVERIES} due deliveries at once each lease a delivery once`, async () => {
    const now = Date.UTC(2026, 10, 21);
    const queues = pools
      .slice(1)
      .map((pool) => createPgDeliveryQueue(pool, (publicId, sealed) => `${publicId}:${sealed}`));
    expect(await queues[0]?.dueWebhooks(now)).toEqual([1]);
    const claimedBy = queues.map(() => [] as number[]);
    await Promise.all(
      queues.map(async (queue, instance) => {
        for (;;) {
          const claimed = await queue.claim(1, now, 7, now + 30_000);
          if (claimed.length === 0) return;
          const seqs = claimed.map((delivery) => Number(delivery.event.id.slice(1)));
          // Oldest first within a claim.
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          for (const delivery of claimed) {
            expect(delivery.secret).toBe('wh_1:sealed-1');
            expect(delivery.organization).toBe('acme');
            claimedBy[instance]?.push(delivery.id);
            await queue.delivered(delivery.id, 200, now);
          }
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(DELIVERIES);
    expect(new Set(all).size).toBe(DELIVERIES);
    // They did claim at once: every instance got some.
    expect(claimedBy.every((ids) => ids.length > 0)).toBe(true);
    const { rows } = await (pools[0] as PgPool).query(
      "SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered' AND attempts = 1",
    );
    expect(rows[0].n).toBe(DELIVERIES);
  });

  it('leaves leased deliveries alone until the lease ends; released ones are due again at once', async () => {
    const admin = pools[0] as PgPool;
    const store = createPgEventStore(admin);
    const at = Date.UTC(2026, 10, 22);
    await store.ingest(
      1,
      normalizeAll(
        [
          { id: 'late-1', action: 'user.login' },
          { id: 'late-2', action: 'user.login' },
        ],
        at,
      ),
      at,
    );
    const [a, b] = pools.slice(1).map((pool) => createPgDeliveryQueue(pool, (_, sealed) => sealed));
    const leased = await a?.claim(1, at, 10, at + 30_000);
    expect(leased?.map((delivery) => delivery.event.id)).toEqual(['late-1', 'late-2']);
    expect(await b?.claim(1, at + 1_000, 10, at + 31_000)).toEqual([]);
    await a?.release([leased?.[0]?.id as number], at + 2_000);
    expect((await b?.claim(1, at + 2_000, 10, at + 32_000))?.map((delivery) => delivery.event.id)).toEqual([
      'late-1',
    ]);
    // The other lease ran out: sent again (at least once).
    expect((await b?.claim(1, at + 30_000, 10, at + 60_000))?.map((delivery) => delivery.event.id)).toEqual([
      'late-2',
    ]);
  });
});
