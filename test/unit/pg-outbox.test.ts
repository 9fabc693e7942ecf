import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createPgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createStores } from '../../src/store/stores.js';
import { normalizeAll, twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The webhook outbox on PostgreSQL queues, in the ingest transaction, the same deliveries as
// SQLite's (src/store/webhook-outbox.ts): for the same webhooks and the same events, the same
// (webhook, event) pairs with the same times.

/** [id, deleted, patterns [text, is_prefix], categories] */
const WEBHOOKS: [number, boolean, [string, boolean][], string[]][] = [
  [1, false, [['', true]], []],
  [2, false, [['user.login', false]], []],
  [3, false, [['tunnel.', true]], ['tunnel']],
  [4, false, [['', true]], ['access']],
  [5, true, [['', true]], []],
  [6, false, [['audit.checkpoint_signed', false]], []],
  [
    7,
    false,
    [
      ['access.', true],
      ['user.', true],
    ],
    ['auth', 'access'],
  ],
];

describePostgres('the webhook outbox on PostgreSQL queues what SQLite queues', () => {
  let database: TestDatabase;
  let pool: PgPool;
  let db: Db;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 2 });
    db = openDatabase(`${tempDir('pg-outbox')}/audit.db`);
  });
  afterAll(async () => {
    db?.close();
    await pool?.end();
    await database?.drop();
  });

  it('for 7 webhooks (prefixes, exact actions, categories, access, a deleted one) and 300 events', async () => {
    const sqlite = createStores(db);
    const orgId = sqlite.directory.ensureOrganization('default').organization.id;
    await pool.query(
      "INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, 'default', 'd', 0)",
      [orgId],
    );
    for (const [id, deleted, patterns, categories] of WEBHOOKS) {
      const row = [
        id,
        `wh_${id}`,
        orgId,
        'https://example.com/hook',
        'json',
        'sealed',
        0,
        0,
        deleted ? 1 : null,
      ];
      db.prepare(
        `INSERT INTO webhooks (id, public_id, org_id, url, format, secret, created_at, updated_at, deleted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(...row);
      await pool.query(
        `INSERT INTO webhooks (id, public_id, org_id, url, format, secret, created_at, updated_at, deleted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        row,
      );
      for (const [position, [pattern, isPrefix]] of patterns.entries()) {
        db.prepare(
          'INSERT INTO webhook_patterns (webhook_id, pattern, is_prefix, position) VALUES (?, ?, ?, ?)',
        ).run(id, pattern, isPrefix ? 1 : 0, position);
        await pool.query(
          'INSERT INTO webhook_patterns (org_id, webhook_id, pattern, is_prefix, position) VALUES ($1, $2, $3, $4, $5)',
          [orgId, id, pattern, isPrefix, position],
        );
      }
      for (const category of categories) {
        db.prepare('INSERT INTO webhook_categories (webhook_id, category) VALUES (?, ?)').run(id, category);
        await pool.query(
          'INSERT INTO webhook_categories (org_id, webhook_id, category) VALUES ($1, $2, $3)',
          [orgId, id, category],
        );
      }
    }
    const pg = createPgEventStore(pool);
    const inputs = twinInputs(300, 7);
    const base = Date.UTC(2026, 10, 20, 12);
    for (let start = 0, batch = 0; start < inputs.length; start += 60, batch++) {
      const receivedAt = base + batch * 1000;
      const events = normalizeAll(inputs.slice(start, start + 60), receivedAt);
      sqlite.events.ingest(orgId, events, receivedAt);
      await pg.ingest(orgId, events, receivedAt);
    }
    const columns = 'webhook_id, event_seq, status, attempts, next_attempt_at, created_at';
    const expected = db
      .prepare(`SELECT ${columns} FROM webhook_deliveries ORDER BY event_seq, webhook_id`)
      .all();
    const actual = (
      await pool.query(`SELECT ${columns} FROM webhook_deliveries ORDER BY event_seq, webhook_id`)
    ).rows;
    expect(actual).toEqual(expected);
    expect(new Set(actual.map((row) => row.webhook_id))).toEqual(new Set([1, 2, 3, 4, 6, 7]));
    const withTs = await pool.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries d JOIN events e ON e.org_id = d.org_id AND e.seq = d.event_seq AND e.ts = d.event_ts',
    );
    expect(withTs.rows[0].n).toBe(actual.length);
  });
});
