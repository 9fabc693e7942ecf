import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import type { Engine } from '../../src/store/port.js';
import { createSqliteEngine, type SqliteEngine } from '../../src/store/sqlite-engine.js';
import { createStores } from '../../src/store/stores.js';
import { createWriteGate, InterleavedWriteError } from '../../src/store/write-gate.js';

// The SQLite engine runs a write's asynchronous work inside one BEGIN IMMEDIATE on the server's
// one connection. Work that waits on anything but its own SQLite calls would let other requests
// run inside the open transaction: the guard rolls it back instead.
describe('the SQLite engine', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  let engine: SqliteEngine;
  let orgId: number;
  const committed = () => other.prepare('SELECT count(*) FROM events').pluck().get() as number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-engine-'));
    db = openDatabase(join(dir, 'audit.db'));
    other = new Database(join(dir, 'audit.db'), { readonly: true });
    const stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
    engine = createSqliteEngine(stores, createWriteGate(db));
  });
  afterEach(async () => {
    other.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (tx: Engine['stores'], action = 'tunnel.created') => tx.recorder.record(orgId, [{ action }]);

  it('commits work that awaits only its own store calls', async () => {
    const result = await engine.write(async (tx) => {
      await record(tx);
      const again = await record(tx, 'tunnel.deleted');
      return again.created;
    });
    expect(result).toBe(1);
    expect(committed()).toBe(2);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls back work that awaits a timer, and refuses the scope afterwards', async () => {
    let scope: Engine['stores'] | undefined;
    let resumed: (() => void) | undefined;
    const late = new Promise<void>((resolve) => {
      resumed = resolve;
    });
    const write = engine.write(async (tx) => {
      scope = tx;
      await record(tx);
      await sleep(5);
      resumed?.();
      await record(tx);
    });
    await expect(write).rejects.toBeInstanceOf(InterleavedWriteError);
    expect(db.inTransaction).toBe(false);
    expect(committed()).toBe(0);
    await late;
    // The abandoned work went on after the rollback: its calls no longer reach the database.
    await expect(record(scope as Engine['stores'])).rejects.toThrow(/after its transaction ended/);
    expect(await engine.stores.events.maxSeq(orgId)).toBe(0);
  });

  it('rolls back work that awaits a read outside its transaction (it would wait forever)', async () => {
    const write = engine.write(async (tx) => {
      await record(tx);
      await engine.stores.events.maxSeq(orgId);
    });
    await expect(write).rejects.toBeInstanceOf(InterleavedWriteError);
    expect(committed()).toBe(0);
  });

  it('rolls back work that throws, and the next write goes through', async () => {
    await expect(
      engine.write(async (tx) => {
        await record(tx);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(committed()).toBe(0);
    await engine.write((tx) => record(tx));
    expect(committed()).toBe(1);
  });

  it('holds reads outside the transaction until it commits: they never see its rows early', async () => {
    const seen: number[] = [];
    const write = engine.write(async (tx) => {
      await record(tx);
      // Another request's read, asked while the transaction is open.
      void engine.stores.events.readFrom(orgId, 0, 10).then((rows) => seen.push(rows.length));
      await record(tx);
      expect(seen).toEqual([]);
    });
    await write;
    await sleep(0);
    expect(seen).toEqual([2]);
  });

  it('runs synchronous SQLite work (not behind the port yet) only while no write is open', async () => {
    const seen: number[] = [];
    const count = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    await engine.write(async (tx) => {
      await record(tx);
      void engine.exclusive(count).then((n) => seen.push(n));
      await record(tx);
    });
    await sleep(0);
    expect(seen).toEqual([2]);
    expect(await engine.exclusive(() => db.inTransaction)).toBe(false);
  });

  it('runs writes one after another, in the order asked, and wakes after each commit', async () => {
    const order: string[] = [];
    const first = engine.write(async (tx) => {
      await record(tx);
      tx.afterCommit(() => order.push(`woken after ${committed()}`));
      order.push('first');
    });
    const second = engine.write(async (tx) => {
      await record(tx);
      order.push('second');
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'woken after 1', 'second']);
  });

  it('answers org-scoped positions from the global sequence', async () => {
    await engine.write((tx) => record(tx));
    const other = await engine.stores.directory.ensureOrganization('other');
    await engine.write((tx) => tx.recorder.record(other.organization.id, [{ action: 'tunnel.created' }]));
    const mine = await engine.stores.events.readFrom(orgId, 0, 10);
    expect(mine.map((stored) => stored.orgId)).toEqual([orgId]);
    expect(await engine.stores.events.findBySeq(orgId, 2)).toBeUndefined();
    expect((await engine.stores.events.findBySeq(other.organization.id, 2))?.seq).toBe(2);
    expect(await engine.stores.events.endSeq(orgId)).toBe(2);
  });

  it("makes the server's reads on first use when it was built without them (an admin command's engine)", async () => {
    await engine.write((tx) => record(tx));
    const chunk = await engine.stores.events.exportChunk(
      orgId,
      {},
      { kind: 'organization' },
      { cursor: undefined, maxRows: 10, maxBytes: 1_000_000 },
    );
    expect(chunk.count).toBe(1);
    expect(await engine.stores.merkle.leafRows(orgId, 0, 10)).toEqual({ rowsJson: '[]', unsealed: [] });
    const leaves = await engine.stores.merkle.exportLeaves(orgId, {}, undefined, 10);
    expect(leaves).toMatchObject({ leaves: [undefined], hasMore: false });
  });

  it("reads in one snapshot: another process's commit between two of its reads is not seen", async () => {
    const writer = openDatabase(join(dir, 'audit.db'));
    const elsewhere = createSqliteEngine(createStores(writer), createWriteGate(writer));
    try {
      const [before, after] = await engine.read(async (stores) => {
        const first = await stores.events.maxSeq(orgId);
        await elsewhere.write((tx) => record(tx));
        return [first, await stores.events.maxSeq(orgId)];
      });
      expect([before, after]).toEqual([0, 0]);
      expect(committed()).toBe(1);
      expect(db.inTransaction).toBe(false);
      expect(await engine.stores.events.maxSeq(orgId)).toBe(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('ends the snapshot for a write of its own process, and for work that waits on a timer', async () => {
    const seen = await engine.read(async (stores) => {
      const first = await stores.events.maxSeq(orgId);
      await engine.write((tx) => record(tx));
      const second = await stores.events.maxSeq(orgId);
      await sleep(5);
      await engine.write((tx) => record(tx));
      return [first, second, await stores.events.maxSeq(orgId)];
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(db.inTransaction).toBe(false);
  });
});
