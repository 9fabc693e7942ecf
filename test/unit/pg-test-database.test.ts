import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';

// The PostgreSQL test helper itself: a database per caller, reachable as the test role, gone
// after drop.
describePostgres('test databases on the PostgreSQL test cluster', () => {
  const made: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of made) await database.drop();
  });

  it('each call makes a new empty database the test role can write, and drop removes it', async () => {
    const [first, second] = [await emptyDatabase(), await emptyDatabase()];
    made.push(first, second);
    expect(first.name).not.toBe(second.name);
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    try {
      const tables = await client.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(tables.rows[0].n).toBe(0);
      await client.query('CREATE TABLE t (x int)');
      const { rows } = await client.query('SELECT current_database() AS name');
      expect(rows[0].name).toBe(first.name);
    } finally {
      await client.end();
    }
    await first.drop();
    const other = new pg.Client({ connectionString: second.url });
    await other.connect();
    try {
      const { rows } = await other.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [
        first.name,
      ]);
      expect(rows[0].n).toBe(0);
    } finally {
      await other.end();
    }
  });
});
