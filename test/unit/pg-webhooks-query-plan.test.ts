import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// The webhook worker's statements on PostgreSQL read by index, so a long delivery history does
// not slow every instance's poll (twice a second) or claim: sequential scans are priced out, and
// the index each must use is named. Settled deliveries far outnumber pending ones, as in life.

/** Each statement, its parameters and the indexes that may drive it (each bounded as it must be). */
const PLANS: [string, string, unknown[], string[]][] = [
  [
    'the poll for due webhooks',
    `SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
     ORDER BY webhook_id`,
    [10_000_000],
    ['webhook_deliveries_pending'],
  ],
  [
    "a claim of one webhook's due deliveries",
    `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.webhook_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 AND w.deleted_at IS NULL
     ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
    [3, 10_000_000, 4],
    // Either walks pending deliveries alone (of the webhook, or all of them).
    ['webhook_deliveries_webhook_due', 'webhook_deliveries_pending'],
  ],
  [
    "a webhook's delivery log, newest first",
    'SELECT d.id FROM webhook_deliveries d WHERE d.org_id = $1 AND d.webhook_id = $2 ORDER BY d.event_seq DESC LIMIT $3',
    [1, 3, 50],
    ['webhook_deliveries_org_id_webhook_id_event_seq_key'],
  ],
];

describePostgres('the webhook queries on PostgreSQL are driven by their indexes', () => {
  let database: TestDatabase;
  let pool: PgPool;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 1 });
    await pool.query("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', 0)");
    await pool.query(`INSERT INTO webhooks (id, public_id, org_id, url, format, secret, created_at, updated_at)
      SELECT g, 'whk_' || g, 1, 'https://example.com', 'json', '', 0, 0 FROM generate_series(1, 10) g`);
    await pool.query(`INSERT INTO webhook_deliveries (org_id, webhook_id, event_seq, event_ts, status, attempts,
        next_attempt_at, created_at, delivered_at)
      SELECT 1, 1 + g % 10, g, g, CASE WHEN g % 500 = 0 THEN 'pending' ELSE 'delivered' END, 1,
        CASE WHEN g % 500 = 0 THEN g END, g, g
      FROM generate_series(1, 50000) g`);
    await pool.query('ANALYZE webhook_deliveries');
    await pool.query('SET enable_seqscan = off');
  }, 30_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it.each(PLANS)('%s', async (_name, sql, params, indexes) => {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).not.toMatch(/Seq Scan on webhook_deliveries/);
    const used = [...plan.matchAll(/using (\w+) on webhook_deliveries/g)].map((match) => match[1]);
    expect(used.length, plan).toBeGreaterThan(0);
    for (const index of used) expect(indexes, plan).toContain(index);
  });
});
