import { afterAll, beforeAll, expect, it } from 'vitest';
import { inMaintenanceWindow } from '../../src/store/pg/maintenance.js';
import { ensureEventPartitions } from '../../src/store/pg/partitions.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

const DAY = 86_400_000;
const NOW = Date.now();

describePostgres('the PostgreSQL schema (migrations/postgres/0001-initial.sql)', () => {
  let database: TestDatabase;
  let pool: PgPool;
  const insertEvent = (seq: number, ts: number, id = `e${seq}`) =>
    pool.query(
      `INSERT INTO events (org_id, seq, id, ts, received_at, category, action) VALUES (1, $1, $2, $3, $3, 'user', 'user.login')`,
      [seq, id, ts],
    );
  const partitionOf = async (seq: number) =>
    (
      await pool.query('SELECT tableoid::regclass::text AS name FROM events WHERE org_id = 1 AND seq = $1', [
        seq,
      ])
    ).rows[0]?.name;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 3 });
    await pool.query("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'o', 'O', 0)");
    await pool.query('INSERT INTO org_positions (org_id) VALUES (1)');
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('has monthly partitions from two years back to two months ahead; other times go to the default one', async () => {
    await insertEvent(1, NOW);
    await insertEvent(2, NOW - 700 * DAY);
    await insertEvent(3, Date.UTC(1999, 0, 1));
    await insertEvent(4, Date.UTC(9999, 11, 31));
    const month = new Date(NOW).toISOString().slice(0, 7).replace('-', '_');
    expect(await partitionOf(1)).toBe(`events_${month}`);
    expect(await partitionOf(2)).toMatch(/^events_\d{4}_\d{2}$/);
    expect(await partitionOf(3)).toBe('events_default');
    expect(await partitionOf(4)).toBe('events_default');
    // Again: nothing missing, nothing made. A month the default partition holds rows of stays there.
    expect(await ensureEventPartitions(pool, NOW)).toBe(0);
    expect(await ensureEventPartitions(pool, Date.UTC(1999, 0, 15) + 700 * DAY)).toBeGreaterThan(0);
    expect(await pool.query("SELECT to_regclass('events_1999_01') AS t").then((r) => r.rows[0].t)).toBeNull();
    expect(await partitionOf(3)).toBe('events_default');
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events outside the maintenance window', async () => {
    await insertEvent(10, NOW, 'guarded');
    await expect(pool.query("UPDATE events SET actor_name = 'x' WHERE seq = 10")).rejects.toThrow(
      /audit events are append-only/,
    );
    await expect(pool.query('DELETE FROM events WHERE seq = 10')).rejects.toThrow(/append-only/);
    const month = new Date(NOW).toISOString().slice(0, 7).replace('-', '_');
    await expect(pool.query(`TRUNCATE events_${month}`)).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    await expect(
      pool
        .query("INSERT INTO event_ids VALUES (1, 'x', 0, 1)")
        .then(() => pool.query("UPDATE event_ids SET seq = 2 WHERE id = 'x'")),
    ).rejects.toThrow(/append-only/);
    expect(await partitionOf(10)).toBeDefined();
  });

  it('lets the purge and erasure change events inside their maintenance window only, which moves the Merkle epoch', async () => {
    await insertEvent(11, NOW, 'erasable');
    const epoch = async () =>
      (await pool.query('SELECT epoch FROM merkle_state WHERE org_id = 1')).rows[0]?.epoch as
        | number
        | undefined;
    expect(await epoch()).toBeUndefined();
    await inMaintenanceWindow(pool, 1, async (client) => {
      await client.query("UPDATE events SET actor_name = 'erased' WHERE org_id = 1 AND seq = 11");
    });
    const { rows } = await pool.query('SELECT actor_name FROM events WHERE org_id = 1 AND seq = 11');
    expect(rows[0].actor_name).toBe('erased');
    expect(await epoch()).toBe(1);
    // The setting ended with that transaction: the next one is guarded again.
    await expect(pool.query("UPDATE events SET actor_name = 'again' WHERE seq = 11")).rejects.toThrow(
      /append-only/,
    );
    // A window that fails changes nothing, the epoch included.
    await expect(
      inMaintenanceWindow(pool, 1, async (client) => {
        await client.query("UPDATE events SET actor_name = 'lost' WHERE org_id = 1 AND seq = 11");
        throw new Error('erasure failed');
      }),
    ).rejects.toThrow('erasure failed');
    expect(await epoch()).toBe(1);
  });

  it('moves organization positions only forward', async () => {
    await pool.query('UPDATE org_positions SET last = last + 5 WHERE org_id = 1');
    await expect(pool.query('UPDATE org_positions SET last = last - 1 WHERE org_id = 1')).rejects.toThrow(
      /only move forward/,
    );
    await expect(pool.query('DELETE FROM org_positions WHERE org_id = 1')).rejects.toThrow(/append-only/);
  });

  it('folds ASCII letters only, as SQLite NOCASE does', async () => {
    const { rows } = await pool.query("SELECT ascii_fold('ÉCOLE Straße ABC') AS folded");
    expect(rows[0].folded).toBe('École straße abc');
  });
});
