import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { openDatabase } from '../../src/store/database.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import type { Engine } from '../../src/store/port.js';
import { sqliteEngineOf } from '../../src/store/sqlite-engine.js';
import { WriteLockTimeoutError } from '../../src/store/write-gate.js';
import { twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// Engine.write and Engine.read on PostgreSQL: one transaction on one client, COMMIT then the
// after-commit callbacks, ROLLBACK on a rejection, one snapshot for a read, and a bounded wait
// for a lock (WriteLockTimeoutError, which the API answers 503).

const input = (id: string, timestamp = '2026-11-20T12:00:00.000Z'): EventInput => ({
  ...(twinInputs(1)[0] as EventInput),
  id,
  timestamp,
});

describePostgres('the PostgreSQL engine: writes, reads and their transactions', () => {
  let database: TestDatabase;
  let pg: PgEngine;
  let org: number;
  const commits: [number, number][] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 4,
      lockTimeoutMs: 300,
      onCommit: (orgId, last) => commits.push([orgId, last]),
    });
    org = (await pg.stores.directory.ensureOrganization('default')).organization.id;
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('a write commits its events, then runs its afterCommit callbacks, then tells onCommit', async () => {
    commits.length = 0;
    const seen: unknown[] = [];
    const result = await pg.write(async (tx) => {
      const recorded = await tx.recorder.record(org, [input('w1'), input('w2')]);
      tx.afterCommit(() => seen.push(['callback', commits.length]));
      return recorded.created;
    });
    expect(result).toBe(2);
    expect(seen).toEqual([['callback', 0]]);
    const end = await pg.stores.events.endSeq(org);
    expect(commits).toEqual([[org, end]]);
    expect((await pg.stores.events.findById(org, 'w2'))?.seq).toBe(end);
  });

  it('a write that rejects leaves nothing: no events, no positions, no callbacks, no onCommit', async () => {
    commits.length = 0;
    const end = await pg.stores.events.endSeq(org);
    let called = false;
    await expect(
      pg.write(async (tx) => {
        await tx.recorder.record(org, [input('rolled-back')]);
        await tx.directory.upsertUser(org, { email: 'gone@x', name: 'G', role: 'member', teamName: 'T' });
        tx.afterCommit(() => {
          called = true;
        });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(called).toBe(false);
    expect(commits).toEqual([]);
    expect(await pg.stores.events.findById(org, 'rolled-back')).toBeUndefined();
    expect(await pg.stores.events.endSeq(org)).toBe(end);
    expect(await pg.stores.directory.findUserByEmail(org, 'gone@x')).toBeUndefined();
  });

  it('a statement that fails inside a write rolls the whole write back', async () => {
    await expect(
      pg.write(async (tx) => {
        await tx.recorder.record(org, [input('before-the-failure')]);
        // Not a role: the CHECK constraint refuses it.
        await tx.directory.upsertUser(org, {
          email: 'x@x',
          name: 'X',
          role: 'root' as 'owner',
          teamName: undefined,
        });
      }),
    ).rejects.toThrow();
    expect(await pg.stores.events.findById(org, 'before-the-failure')).toBeUndefined();
  });

  it('a purge inside a write commits with the write, and is undone with it', async () => {
    await pg.stores.recorder.record(org, [
      input('old-1', '2026-10-01T00:00:00.000Z'),
      input('old-2', '2026-10-02T00:00:00.000Z'),
    ]);
    const cutoff = Date.UTC(2026, 9, 15);
    await expect(
      pg.write(async (tx) => {
        expect(await tx.events.purgeBefore(org, cutoff)).toBe(2);
        throw new Error('not now');
      }),
    ).rejects.toThrow('not now');
    expect(await pg.stores.events.findById(org, 'old-1')).toBeDefined();
    const purged = await pg.write(async (tx) => {
      const count = await tx.events.purgeBefore(org, cutoff);
      await tx.recorder.record(org, [input('purge-record')]);
      return count;
    });
    expect(purged).toBe(2);
    expect(await pg.stores.events.findById(org, 'old-1')).toBeUndefined();
    expect(await pg.stores.events.findById(org, 'purge-record')).toBeDefined();
    // Outside the purge's own statements the append-only guard holds as before.
    await expect(pg.pool.query('DELETE FROM events WHERE org_id = $1', [org])).rejects.toThrow(/append-only/);
  });

  it('a read sees one snapshot: an ingest that commits between two of its reads is not seen', async () => {
    const [before, during, missing] = await pg.read(async (stores) => {
      const first = await stores.events.maxSeq(org);
      await pg.stores.recorder.record(org, [input('committed-meanwhile')]);
      return [
        first,
        await stores.events.maxSeq(org),
        await stores.events.findById(org, 'committed-meanwhile'),
      ];
    });
    expect(during).toBe(before);
    expect(missing).toBeUndefined();
    expect(await pg.stores.events.maxSeq(org)).toBe((before as number) + 1);
  });

  it('a read cannot write', async () => {
    await expect(pg.read((stores) => stores.recorder.record(org, [input('from-a-read')]))).rejects.toThrow(
      /read-only/,
    );
    await expect(pg.read((stores) => stores.directory.setAccessLogging(org, true))).rejects.toThrow(
      /read-only/,
    );
  });

  it('a write that waits for a lock longer than lockTimeoutMs fails with WriteLockTimeoutError (503)', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first write holds the organization's positions until it commits.
    const first = pg.write(async (tx) => {
      await tx.recorder.record(org, [input('holder')]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(pg.write((tx) => tx.recorder.record(org, [input('waiter')]))).rejects.toBeInstanceOf(
      WriteLockTimeoutError,
    );
    await expect(pg.stores.recorder.record(org, [input('waiter')])).rejects.toBeInstanceOf(
      WriteLockTimeoutError,
    );
    release();
    await first;
    expect(await pg.stores.events.findById(org, 'holder')).toBeDefined();
    expect(await pg.stores.events.findById(org, 'waiter')).toBeUndefined();
  });

  it('a write scope kept past its transaction refuses to run anything', async () => {
    const scope = await pg.write(async (tx) => tx);
    await expect(scope.events.maxSeq(org)).rejects.toThrow(/after its transaction ended/);
    expect(() => scope.afterCommit(() => {})).toThrow(/after its transaction ended/);
  });

  it('Merkle appends of one organization outside a write take turns: positions and nodes stay whole', async () => {
    const other = (await pg.stores.directory.ensureOrganization('appends')).organization.id;
    const leaf = (n: number) => {
      const hash = createHash('sha256').update(`leaf ${n}`).digest();
      return {
        orgId: other,
        eventSeq: n + 1,
        eventId: `l${n}`,
        timestamp: 't',
        category: 'auth',
        commitment: hash,
        salt: null,
        hash,
      };
    };
    // Each batch is its own transaction on the pool; the two run at once.
    await Promise.all([
      pg.stores.merkle.append(Array.from({ length: 7 }, (_, n) => leaf(n))),
      pg.stores.merkle.append(Array.from({ length: 6 }, (_, n) => leaf(100 + n))),
    ]);
    const leaves = await pg.stores.merkle.leaves(other, 0, 100);
    expect(leaves.map((stored) => stored.position)).toEqual(Array.from({ length: 13 }, (_, n) => n));
    const expected = inMemorySubtrees(leaves.map((stored) => stored.hash));
    const { rows } = await pg.pool.query<{ level: number; idx: number; hash: Buffer }>(
      'SELECT level, idx, hash FROM merkle_nodes WHERE org_id = $1',
      [other],
    );
    expect(rows).toHaveLength(6 + 3 + 1);
    for (const row of rows) expect(row.hash).toEqual(expected(row.level, row.idx));
  });

  it('afterCommit outside a write runs soon, not inside the call', async () => {
    let ran = false;
    pg.afterCommit(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await Promise.resolve();
    expect(ran).toBe(true);
  });
});

describePostgres('both engines: a rejected write leaves nothing and runs no afterCommit', () => {
  let database: TestDatabase;
  const engines: Engine[] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    engines.push(sqliteEngineOf(openDatabase(join(tempDir('engine-tx'), 'audit.db'))));
    engines.push(await openPgEngine(database.url, { allowUnsafe: true, poolSize: 2 }));
  }, 30_000);
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await database?.drop();
  });

  it.each(['sqlite', 'postgres'])('%s', async (kind) => {
    const engine = engines.find((candidate) => candidate.kind === kind) as Engine;
    const orgId = (await engine.stores.directory.ensureOrganization('default')).organization.id;
    let called = false;
    await expect(
      engine.write(async (tx) => {
        await tx.recorder.record(orgId, [input('never')]);
        tx.afterCommit(() => {
          called = true;
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(called).toBe(false);
    expect(await engine.stores.events.findById(orgId, 'never')).toBeUndefined();
    expect(await engine.stores.events.maxSeq(orgId)).toBe(0);
  });
});
