import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { afterCommit, writeTransaction } from '../../src/store/transaction.js';
import { createWriteGate, type WriteGate } from '../../src/store/write-gate.js';
import { adminOf } from '../helpers/admin.js';

// The live followers and the webhook worker read the database when they are woken. Woken inside
// a transaction, they would read rows this connection has not committed (and may roll back):
// an event sent to a live stream that the log then does not hold.
describe('wake-ups after the outermost commit', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  let gate: WriteGate;
  let stores: Stores;
  /** What each wake-up saw from another connection: how many events are committed. */
  let seen: number[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-wake-'));
    db = openDatabase(join(dir, 'audit.db'));
    other = new Database(join(dir, 'audit.db'), { readonly: true });
    gate = createWriteGate(db);
    seen = [];
    const committed = () => other.prepare('SELECT count(*) FROM events').pluck().get() as number;
    stores = createStores(db, Date.now, () => gate.afterCommit(() => seen.push(committed())));
    stores.directory.ensureOrganization('default');
  });
  afterEach(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const orgId = () => stores.directory.findOrganization('default')?.id ?? 0;
  const record = () => stores.recorder.record(orgId(), [{ action: 'tunnel.created' }]);

  it('a follower woken by an admin change outside the gate reads the committed row', async () => {
    await adminOf(stores).addUser('default', { email: 'new@example.com', role: 'member' });
    expect(seen).toEqual([1]);
  });

  it('wakes after the commit of a plain write transaction, not inside it', () => {
    writeTransaction(db, () => {
      record();
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([1]);
  });

  it('wakes no one for a transaction that rolls back', () => {
    expect(() =>
      writeTransaction(db, () => {
        record();
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(seen).toEqual([]);
  });

  it('wakes no one for a savepoint that rolls back inside a gated write that commits', async () => {
    await gate.write(() => {
      expect(() =>
        writeTransaction(db, () => {
          record();
          throw new Error('savepoint rolled back');
        }),
      ).toThrow('savepoint rolled back');
      record();
    });
    expect(seen).toEqual([1]);
  });

  it('wakes once the outermost gated write commits, not when a nested transaction ends', async () => {
    await gate.write(() => {
      writeTransaction(db, () => record());
      writeTransaction(db, () => record());
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([2, 2]);
  });

  it('wakes no one for a gated write that rolls back', async () => {
    await expect(
      gate.write(() => {
        record();
        throw new Error('gated write rolled back');
      }),
    ).rejects.toThrow('gated write rolled back');
    expect(seen).toEqual([]);
  });

  it('a wake-up that throws after the commit neither fails the committed write (a resent ingest stored twice) nor skips the other wake-ups', async () => {
    const reported: unknown[] = [];
    const woken: string[] = [];
    const failing = new Error('follower hub broke');
    const result = writeTransaction(db, () => {
      record();
      afterCommit(
        db,
        () => {
          throw failing;
        },
        (error) => reported.push(error),
      );
      afterCommit(db, () => woken.push('webhook worker'));
      return 'stored';
    });
    expect(result).toBe('stored');
    expect(other.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    expect(woken).toEqual(['webhook worker']);
    expect(reported).toEqual([failing]);

    const gateReports: unknown[] = [];
    const reportingGate = createWriteGate(db, { onError: (error) => gateReports.push(error) });
    await expect(
      reportingGate.write(() => {
        record();
        reportingGate.afterCommit(() => {
          throw failing;
        });
        reportingGate.afterCommit(() => woken.push('checkpointer'));
        return 'stored too';
      }),
    ).resolves.toBe('stored too');
    expect(other.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
    expect(woken).toEqual(['webhook worker', 'checkpointer']);
    expect(gateReports).toEqual([failing]);
  });
});
