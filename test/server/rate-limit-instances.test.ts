import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import type { RateLimiter } from '../../src/server/rate-limiter.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createSharedRateLimiter } from '../../src/store/pg/rate-windows.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const LIMIT = 10;

// Two server instances on one log, each with its own limiter over one table of windows: a
// token gets the limit once across them (issue 23), the 429 and its headers as on one server.
describePostgres('a rate limit shared by two server instances', () => {
  let database: TestDatabase;
  let pools: PgPool[];
  let fixture: Fixture;
  let second: Awaited<ReturnType<typeof buildApp>>;
  let secondDb: Db;

  beforeAll(async () => {
    database = await migratedDatabase();
    pools = [createPgPool(database.url, { max: 2 }), createPgPool(database.url, { max: 2 })];
    const sharedOn =
      (pool: PgPool) =>
      (limit: number, now: () => number, options: { windowMs?: number | undefined }): RateLimiter =>
        createSharedRateLimiter(pool, limit, now, { windowMs: options.windowMs });
    fixture = await createFixture({ rateLimitPerMinute: LIMIT, createLimiter: sharedOn(pools[0] as PgPool) });
    secondDb = openDatabase(fixture.dbFile);
    second = await buildApp({
      db: secondDb,
      rateLimitPerMinute: LIMIT,
      createLimiter: sharedOn(pools[1] as PgPool),
    });
  });
  afterAll(async () => {
    await second?.close();
    secondDb?.close();
    await fixture?.close();
    for (const pool of pools ?? []) await pool.end();
    await database?.drop();
  });

  it('allows a token its limit once across the instances, not once per instance (threat: N instances, N times the budget)', async () => {
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 8; i++) {
      for (const app of [fixture.app, second]) {
        const answer = await app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization: `Bearer ${fixture.tokens.member}` },
        });
        statuses.push(answer.statusCode);
        remaining.push(String(answer.headers['ratelimit-remaining']));
      }
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual(Array(16 - LIMIT).fill(429));
    // Each answer counts down the one window, whichever instance gave it.
    expect(remaining.slice(0, LIMIT)).toEqual(Array.from({ length: LIMIT }, (_, i) => String(LIMIT - 1 - i)));
  });
});
