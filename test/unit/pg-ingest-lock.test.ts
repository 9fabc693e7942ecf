import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createPgRetention } from '../../src/store/pg/retention.js';
import { WriteLockTimeoutError } from '../../src/store/write-gate.js';
import { normalizeAll } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// An ingest waits for its organization's positions only so long: past lockTimeoutMs it fails as
// a SQLite write does when the file stays locked (WriteLockTimeoutError, the API's 503), rolls
// back, and leaves the connection fit for the next write. Other organizations do not wait.
describePostgres('ingest on PostgreSQL under a held organization lock', () => {
  let database: TestDatabase;
  let pool: PgPool;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 3 });
    await pool.query(
      "INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'a', 'a', 0), (2, 'b', 'b', 0)",
    );
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('fails with WriteLockTimeoutError after lockTimeoutMs, then succeeds once the lock is gone', async () => {
    const store = createPgEventStore(pool, { lockTimeoutMs: 200 });
    const at = Date.now();
    await store.ingest(1, normalizeAll([{ id: 'first', action: 'user.login' }], at), at);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT last FROM org_positions WHERE org_id = 1 FOR UPDATE');
      const started = Date.now();
      await expect(
        store.ingest(1, normalizeAll([{ id: 'second', action: 'user.login' }], at), at),
      ).rejects.toThrow(WriteLockTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      // Another organization's writers are not held up by it.
      const other = await store.ingest(2, normalizeAll([{ id: 'elsewhere', action: 'user.login' }], at), at);
      expect(other.stored[0]?.seq).toBe(1);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    const retried = await store.ingest(1, normalizeAll([{ id: 'second', action: 'user.login' }], at), at);
    expect([retried.fresh, retried.stored[0]?.seq]).toEqual([[true], 2]);
    expect(await store.endSeq(1)).toBe(2);
  });

  it('a purge on the pool waits no longer than lockTimeoutMs either (threat: a held lock stalls the hourly purge for ever)', async () => {
    const store = createPgEventStore(pool, { lockTimeoutMs: 200 });
    const events = createPgRetention(pool, 200);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT last FROM org_positions WHERE org_id = 1 FOR UPDATE');
      const started = Date.now();
      await expect(events.purgeBefore(1, Date.now() + 60_000)).rejects.toThrow(WriteLockTimeoutError);
      expect(Date.now() - started).toBeLessThan(5000);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await events.purgeBefore(1, Date.now() + 60_000)).toBe(2);
    expect(await store.maxSeq(1)).toBe(0);
  });
});
