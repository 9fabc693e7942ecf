import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertDurablePostgres, PostgresNotDurableError } from '../../src/store/pg/durability.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { describePostgres, postgresUrl } from '../helpers/postgres.js';

// The throwaway test cluster runs with fsync, synchronous_commit and full_page_writes off
// (.ci/postgres-cluster without --durable): the server must refuse it unless told it is a test.
describePostgres('a PostgreSQL server that could lose acknowledged events is refused', () => {
  let pool: PgPool;
  beforeAll(() => {
    pool = createPgPool(postgresUrl as string, { max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('names the unsafe settings of the test cluster, and lets a test through when it says so', async () => {
    const { rows } = await pool.query("SELECT setting FROM pg_settings WHERE name = 'fsync'");
    if (rows[0]?.setting === 'on') return; // a --durable cluster: nothing to refuse
    const refusal = assertDurablePostgres(pool);
    await expect(refusal).rejects.toThrow(PostgresNotDurableError);
    await expect(refusal).rejects.toThrow(/fsync=off.*full_page_writes=off.*synchronous_commit=off/);
    await expect(assertDurablePostgres(pool, true)).resolves.toBeUndefined();
  });
});
