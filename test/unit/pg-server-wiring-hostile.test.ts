import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdmin } from '../../src/server/admin.js';
import { buildApp } from '../../src/server/app.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { openPgEngine } from '../../src/store/pg/engine.js';
import { describeOpenFailure } from '../../src/store/pg/open-failure.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { createSharedRateLimiter } from '../../src/store/pg/rate-windows.js';
import { openPgServerDatabase } from '../../src/store/pg/server-database.js';
import { resolveSecretsKey } from '../../src/store/pg/server-keys.js';
import { SecretsKeyError } from '../../src/store/secrets-key-file.js';
import { describePostgres, emptyDatabase, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

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
    // A file the URL names (sslrootcert) that is missing is named as a file, not a socket.
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/root.crt'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/x/root.crt',
    });
    expect(describeOpenFailure(enoent, database.url)).toMatch(/cannot use the database .*\/x\/root\.crt/);
    expect(describeOpenFailure(enoent, database.url)).not.toMatch(/socket/);
  });

  it('two machines starting together on a new database, each with its own key file path, end with one key: the loser is refused and keeps no key of its own (threat: secrets sealed under two keys)', async () => {
    const fresh = await emptyDatabase();
    const files = [join(dir, 'machine-a', 'postgres.key'), join(dir, 'machine-b', 'postgres.key')];
    try {
      const outcomes = await Promise.allSettled(
        files.map((file) =>
          openPgEngine(fresh.url, { allowUnsafe: true, poolSize: 1, secretsKey: { file } }),
        ),
      );
      const opened = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(opened).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(String(refused[0]?.reason)).toMatch(/missing.*copy the key file/);
      expect(files.filter((file) => existsSync(file))).toHaveLength(1);
      for (const outcome of opened) await outcome.value.close();
    } finally {
      await fresh.drop();
    }
  });

  // Only root can give a file to another user; elsewhere the ownership cannot be staged.
  it.skipIf(process.getuid?.() !== 0)(
    "a secrets key file another user planted (0600, theirs) is refused (threat: a key the planter knows seals this database's signing key)",
    async () => {
      const file = join(dir, 'planted.key');
      writeFileSync(file, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
      chownSync(file, 4242, 4242);
      await expect(resolveSecretsKey(pool, { file })).rejects.toThrow(/belongs to another user/);
      chownSync(file, 0, 0);
      expect(await resolveSecretsKey(pool, { file })).toEqual(Buffer.from('ab'.repeat(32), 'hex'));
    },
  );

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

  it('a connection the database ends while the server holds it does not end the process (threat: one failover or pg_terminate_backend takes every instance down)', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => client.once('end', resolve));
    const other = createPgPool(database.url, { max: 1 });
    try {
      await other.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await ended;
      // Without a listener of its own, the client's 'error' was an uncaught exception here.
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      client.release(true);
      await other.end();
    }
  });

  it('a connection the database ends under a request (a failover, a restart) answers 503 with Retry-After, not a 500 (threat: a client that gives up on evidence it should resend)', async () => {
    const shared = await openPgServerDatabase(database.url, { secretsKey: randomBytes(32), poolSize: 2 });
    const admin = createAdmin(shared.engine, SYSTEM_ACTOR);
    await admin.addUser('default', { email: 'ops@example.com', name: 'Ops', role: 'owner' });
    const { token } = await admin.createToken('default', 'ops@example.com', 'ingest', 'pipeline');
    const app = await buildApp({ shared });
    const holder = await pool.connect();
    try {
      const ingest = () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/organizations/default/audit-logs',
          headers: { authorization: `Bearer ${token}` },
          payload: { action: 'user.login', actor: { id: 'u1' } },
        });
      expect((await ingest()).statusCode).toBe(201);
      // The organization's counter row held elsewhere: the next ingest waits on it, and its
      // connection is ended by the database while it waits.
      await holder.query('BEGIN');
      await holder.query('SELECT last FROM org_positions FOR UPDATE');
      const answer = ingest();
      let waiting: number | undefined;
      await expect
        .poll(async () => {
          const { rows } = await pool.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          waiting = rows[0]?.pid;
          return waiting;
        })
        .toBeDefined();
      await pool.query('SELECT pg_terminate_backend($1)', [waiting]);
      const response = await answer;
      expect(response.statusCode, response.body).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.body).not.toMatch(/terminat|57P01|administrator/);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      await app.close();
      await shared.close();
    }
  });
});
