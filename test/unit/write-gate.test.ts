import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createWriteGate, WriteLockTimeoutError } from '../../src/store/write-gate.js';

describe('the write gate', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-gate-'));
    file = join(dir, 'audit.db');
    db = openDatabase(file);
    other = new Database(file);
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (key: string) =>
    db.prepare("INSERT INTO server_settings (key, value) VALUES (?, 'x')").run(key).changes;
  const has = (key: string) =>
    other.prepare('SELECT 1 FROM server_settings WHERE key = ?').get(key) !== undefined;

  it('waits for a lock held by another connection without blocking the event loop', async () => {
    const gate = createWriteGate(db, { waitMs: 5000 });
    other.exec('BEGIN IMMEDIATE');
    // The release is itself a timer: it fires on time only if the waiting write leaves the loop free.
    const releaseAt = performance.now() + 300;
    let releaseLateMs = Number.NaN;
    setTimeout(() => {
      releaseLateMs = performance.now() - releaseAt;
      other.exec('ROLLBACK');
    }, 300);
    const written = gate.write(() => put('waited'));
    expect(has('waited')).toBe(false);
    expect(await written).toBe(1);
    expect(releaseLateMs).toBeLessThan(100);
    expect(has('waited')).toBe(true);
  });

  it('gives up past its bound with a busy error, having written nothing', async () => {
    const gate = createWriteGate(db, { waitMs: 150 });
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const error = await gate.write(() => put('too-late')).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(WriteLockTimeoutError);
    expect((error as WriteLockTimeoutError).code).toBe('SQLITE_BUSY');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    other.exec('ROLLBACK');
    expect(db.inTransaction).toBe(false);
    expect(has('too-late')).toBe(false);
  });

  it('commits before the answer, and runs after-commit work only once the rows are visible to others', async () => {
    const gate = createWriteGate(db);
    const seenByOthers: boolean[] = [];
    await gate.write(() => {
      put('committed');
      gate.afterCommit(() => seenByOthers.push(has('committed')));
      expect(seenByOthers).toEqual([]);
    });
    expect(seenByOthers).toEqual([true]);
  });

  it('rolls back a failed write whole, inner transactions included, and skips its after-commit work', async () => {
    const gate = createWriteGate(db);
    let ran = false;
    const failing = gate.write(() => {
      db.transaction(() => put('inner'))();
      gate.afterCommit(() => {
        ran = true;
      });
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    expect(db.inTransaction).toBe(false);
    expect(has('inner')).toBe(false);
    expect(ran).toBe(false);
  });

  it('refuses asynchronous work, which would hold the lock across turns of the event loop', async () => {
    const gate = createWriteGate(db);
    await expect(gate.write(() => Promise.resolve(put('async')))).rejects.toThrow(/synchronous/);
    expect(db.inTransaction).toBe(false);
    expect(has('async')).toBe(false);
  });
});
