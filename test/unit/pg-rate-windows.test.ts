import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/server/rate-limiter.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createSharedRateLimiter } from '../../src/store/pg/rate-windows.js';
import { prng } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Rate limits that hold per token across instances (issue 23, point 2): the rate_windows table
// answers as the in-memory limiter does, request for request, and instances at once share one
// window instead of each allowing the whole limit.
describePostgres('rate windows shared by instances on PostgreSQL', () => {
  let database: TestDatabase;
  let pools: PgPool[];

  beforeAll(async () => {
    database = await migratedDatabase();
    pools = [createPgPool(database.url, { max: 4 }), createPgPool(database.url, { max: 4 })];
  });
  afterAll(async () => {
    for (const pool of pools ?? []) await pool.end();
    await database?.drop();
  });

  it('answers 2,000 random checks and takes as the in-memory limiter does', async () => {
    const random = prng(42);
    let time = 1_000_000;
    const now = () => time;
    const memory = createRateLimiter(5, now, { windowMs: 1_000 });
    const shared = createSharedRateLimiter(pools[0] as PgPool, 5, now, { windowMs: 1_000 });
    for (let i = 0; i < 2_000; i++) {
      const key = `k${Math.floor(random() * 3)}`;
      const units = 1 + Math.floor(random() * 7);
      const method = random() < 0.5 ? 'check' : 'take';
      expect(await shared[method](key, units), `${i}: ${method}(${key}, ${units}) at ${time}`).toEqual(
        memory[method](key, units),
      );
      time += Math.floor(random() * 250);
    }
  });

  it('two instances taking at once allow the limit once between them, not once each', async () => {
    const time = 5_000_000;
    const limiters = pools.map((pool) => createSharedRateLimiter(pool, 50, () => time));
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) => (limiters[i % 2] as (typeof limiters)[number]).take('token-1')),
    );
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(50);
    const expired = createSharedRateLimiter(pools[0] as PgPool, 50, () => time + 60_000);
    expect(await expired.dropExpired()).toBeGreaterThanOrEqual(1);
    const left = await (pools[0] as PgPool).query("SELECT 1 FROM rate_windows WHERE key = 'token-1'");
    expect(left.rows).toEqual([]);
  });
});
