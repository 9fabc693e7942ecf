import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../src/domain/ulid.js';
import { buildApp } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

/**
 * Another process (an admin command, a backup, `sqlite3`) holds the write lock. A write that
 * waits for it must not freeze the server: health checks and reads answer meanwhile; the write
 * succeeds once the lock is free, or answers 503 with Retry-After once its wait passes its bound.
 */

/** Far below the lock hold (2 s): a server whose loop waits in SQLite's busy handler cannot meet it. */
const RESPONSIVE_MS = 500;
const nextId = createUlidFactory();
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** A second process that takes the write lock, says so, and holds it for `holdMs`. */
const HOLDER = `
const [module, file, holdMs] = process.argv.slice(1);
const Database = require(module);
const db = new Database(file);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT OR REPLACE INTO server_settings (key, value) VALUES ('lock_holder', '1')").run();
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); process.stdout.write('released\\n'); }, Number(holdMs));
`;

interface Holder {
  child: ChildProcess;
  released: Promise<void>;
}

async function holdWriteLock(file: string, holdMs: number): Promise<Holder> {
  const child = spawn(process.execPath, ['-e', HOLDER, BETTER_SQLITE3, file, String(holdMs)]);
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
  });
  const lines = (want: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(`${want}\n`)) resolve();
      };
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        out += chunk;
        check();
      });
      child.on('close', (code) => {
        check();
        reject(new Error(`lock holder exited ${code} before "${want}": ${err}`));
      });
    });
  const locked = lines('locked');
  const released = lines('released');
  released.catch(() => {});
  await locked;
  return { child, released };
}

interface Served {
  fixture: Fixture;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The fixture's file served over real HTTP by an app whose writes wait at most `waitMs` for the lock. */
async function serve(waitMs: number): Promise<Served> {
  const fixture = await createFixture();
  const db = openDatabase(fixture.dbFile, { busyTimeoutMs: waitMs });
  const app = await buildApp({ db, rateLimitPerMinute: 1_000_000 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    fixture,
    app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      db.close();
      await fixture.close();
    },
  };
}

describe('a write waiting for another process’s lock does not stop the server', () => {
  let served: Served | undefined;
  let holder: Holder | undefined;
  afterEach(async () => {
    holder?.child.kill();
    await holder?.released.catch(() => {});
    holder = undefined;
    await served?.close();
    served = undefined;
  });

  const auth = (fixture: Fixture) => ({ authorization: `Bearer ${fixture.tokens.owner}` });
  const ingest = (server: Served, id: string) =>
    fetch(`${server.url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { ...auth(server.fixture), 'content-type': 'application/json' },
      body: JSON.stringify({ id, action: 'user.login' }),
    });

  /**
   * /healthz and one list page, one after the other, as a monitor and a reader would, asked
   * `afterMs` after `since`: the time is counted from then, so a loop that was blocked (and
   * fired this late) counts too.
   */
  async function timeReads(server: Served, since: number, afterMs: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const started = since + afterMs;
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const list = await fetch(`${server.url}/api/v1/organizations/default/audit-logs?per_page=10`, {
      headers: auth(server.fixture),
    });
    expect(list.status).toBe(200);
    await list.arrayBuffer();
    return performance.now() - started;
  }

  const storedIds = (file: string): string[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT id FROM events').pluck().all() as string[];
    } finally {
      db.close();
    }
  };

  it('health checks and reads answer while an ingest waits, and the ingest succeeds once the lock is free', async () => {
    served = await serve(5000);
    // Warm: the first request compiles routes and schemas, which is not what is measured.
    await timeReads(served, performance.now(), 0);
    holder = await holdWriteLock(served.fixture.dbFile, 2000);
    const id = `log_${nextId()}`;
    const ingestStarted = performance.now();
    const pending = ingest(served, id);
    // Asked once the ingest has reached the database and waits for the lock.
    const readsMs = await timeReads(served, ingestStarted, 300);
    const response = await pending;
    const ingestMs = performance.now() - ingestStarted;
    console.info(
      `write-lock wait: reads ${readsMs.toFixed(0)} ms while the ingest waited ${ingestMs.toFixed(0)} ms`,
    );
    expect(readsMs).toBeLessThan(RESPONSIVE_MS);
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data[0]?.id).toBe(id);
    await holder.released;
    // It did wait for the lock: it was not stored before the other process let go.
    expect(ingestMs).toBeGreaterThan(1500);
    expect(storedIds(served.fixture.dbFile)).toContain(id);
  });

  it('a write whose wait passes its bound answers 503 with Retry-After and stores nothing', async () => {
    served = await serve(1000);
    // Warm: the first request compiles routes and schemas, which is not what is measured.
    await timeReads(served, performance.now(), 0);
    holder = await holdWriteLock(served.fixture.dbFile, 3000);
    const id = `log_${nextId()}`;
    const ingestStarted = performance.now();
    const pending = ingest(served, id);
    const readsMs = await timeReads(served, ingestStarted, 300);
    const response = await pending;
    const ingestMs = performance.now() - ingestStarted;
    console.info(
      `write-lock bound: reads ${readsMs.toFixed(0)} ms, ingest answered after ${ingestMs.toFixed(0)} ms`,
    );
    expect(readsMs).toBeLessThan(RESPONSIVE_MS);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(ingestMs).toBeGreaterThan(900);
    expect(ingestMs).toBeLessThan(2800);
    await holder.released;
    expect(storedIds(served.fixture.dbFile)).not.toContain(id);
  });
});
