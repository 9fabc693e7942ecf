import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOpenFailure } from '../../src/store/pg/open-failure.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createSharedRateLimiter } from '../../src/store/pg/rate-windows.js';
import { resolveSecretsKey } from '../../src/store/pg/server-keys.js';
import { SecretsKeyError } from '../../src/store/secrets-key-file.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// An attacker's and an auditor's review of the PostgreSQL server wiring (issue 23): the secrets
// key file a new machine makes, what an open failure is called, the shared rate windows.

describePostgres('the PostgreSQL server wiring under attack', () => {
  let database: TestDatabase;
  let pool: PgPool;
  let dir: string;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 2 });
    dir = mkdtempSync(join(tmpdir(), 'audit-pg-wiring-'));
  }, 30_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a new machine without its data directory makes the key file there, 0600 in a 0700 directory (threat: a first start that fails, or a key directory others may list)', async () => {
    const file = join(dir, 'fresh', 'audit', 'postgres.key');
    const key = await resolveSecretsKey(pool, { file });
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'fresh', 'audit')).mode & 0o777).toBe(0o700);
  });

  it('a key file that cannot be made is named as such, never as an unreachable database (threat: an operator sent after the wrong fault)', async () => {
    const notADirectory = join(dir, 'ssl-certificates');
    writeFileSync(notADirectory, 'a file, not a directory');
    const failure = await resolveSecretsKey(pool, { file: join(notADirectory, 'postgres.key') }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SecretsKeyError);
    expect((failure as Error).message).toContain(join(notADirectory, 'postgres.key'));
    expect(describeOpenFailure(failure, database.url)).toBeUndefined();
    // A file error of its own (no SQLSTATE, no socket) is not a connection failure either.
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/postgres.key'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/x/postgres.key',
    });
    expect(describeOpenFailure(enoent, database.url)).toBeUndefined();
  });

  it('rate windows of client addresses seen once are deleted once they ran out (threat: one row per address for ever, an unbounded table)', async () => {
    let time = 10_000_000;
    const limiter = createSharedRateLimiter(pool, 5, () => time, { windowMs: 1_000 });
    for (let i = 0; i < 200; i++) await limiter.check(`ip:2001:db8::${i.toString(16)}`);
    const count = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM rate_windows WHERE key LIKE 'ip:%'"))
        .rows[0]?.n;
    expect(await count()).toBe(200);
    time += 1_000;
    await limiter.check('ip:192.0.2.1');
    expect(await count()).toBe(1);
  });
});
