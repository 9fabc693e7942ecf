import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateNoteKey, parseSignerKey } from '../../src/domain/signed-note.js';
import { createTreeSealer } from '../../src/server/tree-sealer.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createSqliteEngine, sqliteEngineOf } from '../../src/store/sqlite-engine.js';
import { createScrubber } from '../../src/store/sqlite-scrub.js';
import { createServerStores } from '../../src/store/sqlite-server-stores.js';
import { createStores } from '../../src/store/stores.js';
import { createWriteGate } from '../../src/store/write-gate.js';
import { createWebhookWorker } from '../../src/webhooks/worker.js';

// Review finding 4: the write gate's setImmediate guard is best effort: a timer of the same
// event-loop phase as an async write's can run while its transaction is open on the server's one
// connection. The code that uses the connection directly (the tree sealer, the webhook worker,
// the GDPR scrub, engine.exclusive) must then wait, not read the uncommitted rows or write into
// that transaction. Here a transaction is held open by hand across turns, as such a write's is,
// and every statement run meanwhile is counted.
describe('direct SQLite work, against a transaction another holds open on the connection', () => {
  let dir: string;
  let db: Db;
  let foreignOpen = false;
  let ranInside: string[] = [];

  /** Counts what runs on `db` while the foreign transaction is open: statements, exec, pragmas. */
  function watch(): void {
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      for (const method of ['get', 'all', 'run', 'iterate'] as const) {
        const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          if (foreignOpen) ranInside.push(sql);
          return original(...args);
        };
      }
      return statement;
    }) as typeof db.prepare;
    const exec = db.exec.bind(db);
    db.exec = ((sql: string) => {
      if (foreignOpen) ranInside.push(sql);
      return exec(sql);
    }) as typeof db.exec;
    const pragma = db.pragma.bind(db);
    db.pragma = ((source: string, options?: { simple?: boolean }) => {
      if (foreignOpen) ranInside.push(`PRAGMA ${source}`);
      return pragma(source, options);
    }) as typeof db.pragma;
  }

  /** Holds a transaction open for `ms`, as an async write whose guard has not fired yet does. */
  async function holdTransaction(ms: number): Promise<void> {
    db.exec('BEGIN IMMEDIATE');
    foreignOpen = true;
    await sleep(ms);
    foreignOpen = false;
    db.exec('COMMIT');
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-outside-tx-'));
    db = openDatabase(join(dir, 'audit.db'));
    createStores(db).directory.ensureOrganization('default');
    foreignOpen = false;
    ranInside = [];
    watch();
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("isolation: engine.exclusive waits for another's open transaction instead of reading inside it", async () => {
    const engine = sqliteEngineOf(db);
    const held = holdTransaction(30);
    const inside = await engine.exclusive(() => db.inTransaction);
    await held;
    expect(inside).toBe(false);
  });

  it("isolation: engine.stores reads wait for another's open transaction", async () => {
    const engine = sqliteEngineOf(db);
    const held = holdTransaction(30);
    await engine.stores.events.endSeq(1);
    expect(ranInside).toEqual([]);
    await held;
  });

  it("isolation: the GDPR scrub does not write its optimize into another's open transaction", async () => {
    const scrubber = createScrubber(db);
    const held = holdTransaction(30);
    const clean = await scrubber.scrub(1000);
    await held;
    expect(ranInside).toEqual([]);
    expect(clean).toBe(true);
  });

  it("isolation: the webhook worker's outbox look waits for another's open transaction", async () => {
    const errors: unknown[] = [];
    const engine = createSqliteEngine(
      createStores(db),
      createWriteGate(db),
      createServerStores(createStores(db)),
    );
    const worker = createWebhookWorker(engine, {
      pollIntervalMs: 2,
      onError: (error) => errors.push(error),
    });
    await holdTransaction(40);
    await sleep(10);
    await worker.stop();
    expect(ranInside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("isolation: the tree sealer's poll does not read inside another's open transaction", async () => {
    const errors: unknown[] = [];
    const signer = parseSignerKey(generateNoteKey('test').signerKey);
    const engine = createSqliteEngine(
      createStores(db),
      createWriteGate(db),
      createServerStores(createStores(db)),
    );
    const sealer = createTreeSealer(engine, signer, {
      pollMs: 2,
      onError: (error) => errors.push(error),
    });
    await holdTransaction(40);
    await sleep(10);
    sealer.close();
    expect(ranInside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
