import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { toProblem } from '../../src/server/problem.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { asWriteLockTimeout, WriteConflictError } from '../../src/store/pg/lock-wait.js';
import { inOpenMaintenanceWindow } from '../../src/store/pg/maintenance.js';
import { createPgPool, inTransaction, TransactionAbortedError } from '../../src/store/pg/pool.js';
import { PoolWaitTimeoutError } from '../../src/store/pg/pool-wait.js';
import { twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Transactions on PostgreSQL under work that misbehaves: a statement error caught and ignored
// must not turn into an acknowledged write that stored nothing.

const input = (id: string, timestamp = '2026-11-20T12:00:00.000Z'): EventInput => ({
  ...(twinInputs(1)[0] as EventInput),
  id,
  timestamp,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL write conflicts as the API sees them', () => {
  it('a deadlock or serialization failure is a retryable 503, never a 500', () => {
    for (const code of ['40P01', '40001']) {
      const mapped = asWriteLockTimeout(Object.assign(new Error('deadlock detected'), { code }), 5000);
      expect(mapped).toBeInstanceOf(WriteConflictError);
      expect(toProblem(mapped).status).toBe(503);
    }
    const other = Object.assign(new Error('unique'), { code: '23505' });
    expect(asWriteLockTimeout(other, 5000)).toBe(other);
  });
});

describePostgres('PostgreSQL transactions whose work swallowed a failed statement', () => {
  let database: TestDatabase;
  let pg: PgEngine;
  let org: number;
  const commits: [number, number][] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 3,
      onCommit: (orgId, last) => commits.push([orgId, last]),
    });
    org = (await pg.stores.directory.ensureOrganization('hostile')).organization.id;
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: a lost acknowledged event — a write whose caught statement error aborted it rejects, and tells nobody', async () => {
    commits.length = 0;
    let told = false;
    const checkpoint = { treeSize: 1, root: Buffer.alloc(32), signedAt: 1, note: 'n' };
    await expect(
      pg.write(async (tx) => {
        await tx.recorder.record(org, [input('swallowed')]);
        await tx.merkle.addCheckpoint(org, checkpoint);
        // The same checkpoint again: 23505, caught here; PostgreSQL has aborted the transaction.
        await tx.merkle.addCheckpoint(org, checkpoint).catch(() => {});
        tx.afterCommit(() => {
          told = true;
        });
        return 'acknowledged';
      }),
    ).rejects.toBeInstanceOf(TransactionAbortedError);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(told).toBe(false);
    expect(commits).toEqual([]);
    expect(await pg.stores.events.findById(org, 'swallowed')).toBeUndefined();
    // The connection went back usable: the next write commits.
    expect(await pg.write((tx) => tx.recorder.record(org, [input('after')]))).toMatchObject({ created: 1 });
  });

  it('threat: a rollback reported as success — inTransaction rejects when COMMIT answers ROLLBACK', async () => {
    await expect(
      inTransaction(pg.pool, async (client) => {
        await client.query('SELECT 1 / 0').catch(() => {});
        return 'done';
      }),
    ).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(
      await inTransaction(pg.pool, async (client) => (await client.query('SELECT 1 AS one')).rows),
    ).toEqual([{ one: 1 }]);
  });

  it('threat: append-only guard left lifted — a maintenance window whose work threw puts the guard back', async () => {
    const client = await pg.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(
        inOpenMaintenanceWindow(client, org, async () => {
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      // The caller caught it and goes on in the same transaction: events are guarded again.
      const { rows } = await client.query<{ mode: string }>(
        "SELECT current_setting('audit.maintenance', true) AS mode",
      );
      expect(rows[0]?.mode).toBe('off');
      await expect(client.query('DELETE FROM events WHERE org_id = $1', [org])).rejects.toThrow();
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await pg.stores.events.findById(org, 'after')).toBeDefined();
  });
});

describePostgres('PostgreSQL retention purge against ingest of the same organization', () => {
  let database: TestDatabase;
  let pg: PgEngine;
  let org: number;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 3 });
    org = (await pg.stores.directory.ensureOrganization('purge')).organization.id;
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: requests failed by a deadlock — a purge and a back-dated ingest of one organization take turns', async () => {
    await pg.write((tx) => tx.recorder.record(org, [input('old-1', '2020-01-01T10:30:00.000Z')]));
    const purge = pg.write(async (tx) => {
      const purged = await tx.events.purgeBefore(org, Date.UTC(2021, 0, 1));
      // Holds the purge's locks while the ingest below starts, then records the purge.
      await sleep(300);
      await tx.recorder.record(org, [input('purge-record')]);
      return purged;
    });
    await sleep(100);
    // The same hour as the purged event: the same event_counts row.
    const ingest = pg.write((tx) => tx.recorder.record(org, [input('old-2', '2020-01-01T10:45:00.000Z')]));
    const [purged, ingested] = await Promise.allSettled([purge, ingest]);
    expect(purged).toEqual({ status: 'fulfilled', value: 1 });
    expect(ingested).toMatchObject({ status: 'fulfilled', value: { created: 1 } });
    expect(await pg.stores.events.findById(org, 'old-1')).toBeUndefined();
    expect(await pg.stores.events.findById(org, 'old-2')).toBeDefined();
  });
});

describePostgres('PostgreSQL Merkle appends spanning organizations', () => {
  let database: TestDatabase;
  let pg: PgEngine;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 4 });
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: sealing stalled by deadlocks — appends naming two organizations in opposite orders both succeed', async () => {
    const a = (await pg.stores.directory.ensureOrganization('merkle-a')).organization.id;
    const b = (await pg.stores.directory.ensureOrganization('merkle-b')).organization.id;
    const leaf = (orgId: number, seq: number) => ({
      orgId,
      eventSeq: seq,
      eventId: `e${seq}`,
      timestamp: '2026-11-20T12:00:00.000Z',
      category: 'auth',
      commitment: Buffer.alloc(32, 1),
      salt: Buffer.alloc(32, 2),
      hash: Buffer.alloc(32, seq),
    });
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.allSettled([
        pg.stores.merkle.append([leaf(a, 2 * round + 1), leaf(b, 2 * round + 1)]),
        pg.stores.merkle.append([leaf(b, 2 * round + 2), leaf(a, 2 * round + 2)]),
      ]);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    }
    expect(await pg.stores.merkle.size(a)).toBe(2 * rounds);
    expect(await pg.stores.merkle.size(b)).toBe(2 * rounds);
  }, 60_000);
});

describePostgres('PostgreSQL directory upserts racing each other', () => {
  let database: TestDatabase;
  let pg: PgEngine;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 4 });
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: sign-ups failed by a race — two upserts of one new email and team at once both succeed, one user', async () => {
    const org = (await pg.stores.directory.ensureOrganization('race')).organization.id;
    const rounds = 20;
    // Odd rounds without a team: the users' race alone.
    for (let i = 0; i < rounds; i++) {
      const results = await Promise.allSettled([
        pg.stores.directory.upsertUser(org, {
          email: `Bob${i}@x`,
          name: undefined,
          role: 'member',
          teamName: i % 2 ? undefined : `Ops${i}`,
        }),
        pg.stores.directory.upsertUser(org, {
          email: `bob${i}@x`,
          name: undefined,
          role: 'admin',
          teamName: i % 2 ? undefined : `OPS${i}`,
        }),
      ]);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const [first, second] = results.map(
        (result) => (result as PromiseFulfilledResult<{ user: { id: number; team: unknown } }>).value,
      );
      expect(first?.user.id).toBe(second?.user.id);
      expect(first?.user.team).toEqual(second?.user.team);
    }
    expect(await pg.stores.directory.countUsers(org)).toBe(rounds);
  });
});

describe('PostgreSQL engine options', () => {
  it('a lock wait bound PostgreSQL would refuse at every BEGIN is refused at open, before connecting', async () => {
    for (const lockTimeoutMs of [-1, 1.5, 2 ** 31, Number.NaN]) {
      await expect(openPgEngine('postgres://127.0.0.1:1/none', { lockTimeoutMs })).rejects.toThrow(
        /lockTimeoutMs must be an integer from 0 to 2147483647/,
      );
    }
  });
});

describePostgres('PostgreSQL transactions whose BEGIN fails', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await migratedDatabase();
  }, 30_000);
  afterAll(async () => {
    await database?.drop();
  });

  it("threat: a request run inside a stranger's aborted transaction — a client whose BEGIN failed is not reused", async () => {
    const pool = createPgPool(database.url, { max: 1 });
    try {
      await expect(
        inTransaction(pool, async () => 'never', 'BEGIN; SET LOCAL lock_timeout = -1'),
      ).rejects.toThrow(/lock_timeout/);
      // The only connection of the pool: a healthy one, outside any transaction.
      const { rows } = await pool.query<{ assigned: string | null }>(
        'SELECT txid_current_if_assigned() AS assigned',
      );
      expect(rows).toEqual([{ assigned: null }]);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

describePostgres('PostgreSQL pool saturated', () => {
  let database: TestDatabase;
  let pg: PgEngine;

  beforeAll(async () => {
    database = await migratedDatabase();
    const url = new URL(database.url);
    // libpq's shortest connect_timeout (2 s): also the bound on waiting for a free client.
    url.searchParams.set('connect_timeout', '2');
    pg = await openPgEngine(url.toString(), { allowUnsafe: true, poolSize: 1 });
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: a flood holding every connection turns requests into 500s — the wait for a client ends in a retryable 503', async () => {
    const held = await pg.pool.connect();
    try {
      const org = 1;
      const write = pg.write(async () => 'never');
      const query = pg.stores.events.endSeq(org);
      for (const attempt of await Promise.allSettled([write, query])) {
        expect(attempt.status).toBe('rejected');
        const reason = (attempt as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(PoolWaitTimeoutError);
        expect(reason.message).toMatch(/no database connection came free within 2000 ms/);
        expect(toProblem(reason).status).toBe(503);
      }
    } finally {
      held.release();
    }
    // Free again: the pool serves the next caller.
    expect(await pg.stores.events.endSeq(1)).toBe(0);
  });
});
