import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../src/domain/ulid.js';
import { buildApp } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';
import { createFixture } from '../helpers/server-fixture.js';
import { openStream } from '../helpers/sse-client.js';

const LOAD_MS = 3000;
const INGEST_CLIENTS = 3;
const BATCH = 100;
const DAY_MS = 86_400_000;
/**
 * The WAL bound: the server is told to checkpoint once the WAL passes CHECKPOINT_MB (its
 * default, 256 MiB, is more than this test writes) and then reuses the file from its start, so
 * the WAL only outgrows that when a checkpoint cannot catch up (a reader pinning an old
 * snapshot, or writers that never pause). Twice the threshold plus 16 MiB allows one delayed
 * checkpoint plus full batches; anything past it means starved checkpoints, or a server that
 * ignored AUDIT_WAL_CHECKPOINT_MB (this load writes more than 30 MiB).
 */
const CHECKPOINT_MB = 4;
const WAL_BOUND_BYTES = (2 * CHECKPOINT_MB + 16) * 1024 * 1024;
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** The server's own retention purge, run hard in a second process against the same file. */
const PURGER = `
const [dist, file, ms] = process.argv.slice(1);
const { openDatabase } = await import(dist + 'store/database.js');
const { createStores } = await import(dist + 'store/stores.js');
const { createAdmin } = await import(dist + 'server/admin.js');
const { createSqliteEngine } = await import(dist + 'store/sqlite-engine.js');
const { createWriteGate } = await import(dist + 'store/write-gate.js');
const { purgeExpiredEvents } = await import(dist + 'server/retention.js');
const db = openDatabase(file);
const stores = createStores(db);
const engine = createSqliteEngine(stores, createWriteGate(db));
await createAdmin(engine).setPlan('default', 'free');
let purged = 0, runs = 0, busy = 0;
const end = Date.now() + Number(ms);
while (Date.now() < end) {
  try { purged += await purgeExpiredEvents(engine, Date.now()); runs++; }
  catch (error) { if (String(error.code).startsWith('SQLITE_BUSY')) busy++; else throw error; }
  await new Promise((resolve) => setTimeout(resolve, 25));
}
db.close();
console.log(JSON.stringify({ purged, runs, busy }));
`;

function runPurger(dbFile: string, ms: number): Promise<{ purged: number; runs: number; busy: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PURGER, DIST, dbFile, String(ms)]);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
  });
}

describe('contention: ingest, export, tail, backup and retention purge at once', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const out = mkdtempSync(join(home.dir, 'out-'));
  let server: SpawnedServer;
  let token: string;
  const nextId = createUlidFactory();

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '1000000'], {
      ...env,
      AUDIT_WAL_CHECKPOINT_MB: String(CHECKPOINT_MB),
      // Checkpoints every 50 ms: a backup waits for one that covers the day it writes.
      AUDIT_CHECKPOINT_INTERVAL_MS: '50',
    });
    token = server.token as string;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('answers no 500, only 503s with Retry-After, keeps the WAL bounded, and loses nothing', async () => {
    const url = `${server.url}/api/v1/organizations/default/audit-logs`;
    const statuses = new Map<number, number>();
    const busyWithoutRetryAfter: number[] = [];
    const acknowledged = new Set<string>();
    const acknowledgedRecent = new Set<string>();
    let walMax = 0;
    let stop = false;
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

    const walWatch = setInterval(() => {
      const wal = `${home.dbFile}-wal`;
      if (existsSync(wal)) walMax = Math.max(walMax, statSync(wal).size);
    }, 20);
    const tail = await openStream(`${url}/stream`, { authorization: `Bearer ${token}` });

    const ingest = async () => {
      while (!stop) {
        const now = Date.now();
        // Half of every batch is already past the free plan's 30 days: the purge always has work.
        const events = Array.from({ length: BATCH }, (_, index) => ({
          id: `log_${nextId()}`,
          action: 'user.login',
          timestamp: new Date(index % 2 ? now - 40 * DAY_MS : now).toISOString(),
          metadata: { padding: 'x'.repeat(500) },
        }));
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        await response.arrayBuffer();
        count(response.status);
        if (response.status === 503 && !response.headers.get('retry-after')) busyWithoutRetryAfter.push(503);
        if (response.status === 201) {
          for (const [index, event] of events.entries()) {
            acknowledged.add(event.id);
            if (index % 2 === 0) acknowledgedRecent.add(event.id);
          }
        }
      }
    };
    const reads = async () => {
      while (!stop) {
        const response = await fetch(`${url}?per_page=1000&q=login`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await response.arrayBuffer();
        count(response.status);
        if (response.status === 503 && !response.headers.get('retry-after')) busyWithoutRetryAfter.push(503);
      }
    };
    const today = new Date().toISOString().slice(0, 10);
    const cliRuns = async () => {
      const results = [];
      results.push(
        await runCli(['export', '--utc', '--since', '30d', '-o', join(out, 'export.ndjson')], { env }),
      );
      results.push(
        await runCli(['backup', 'run', '--dir', out, '--date', today, '--format', 'ndjson'], { env }),
      );
      return results;
    };

    const started = Date.now();
    const purge = runPurger(home.dbFile, LOAD_MS);
    const load = [...Array.from({ length: INGEST_CLIENTS }, ingest), reads()];
    const cli = cliRuns();
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    stop = true;
    await Promise.all(load);
    const cliResults = await cli;
    const purgeReport = await purge;
    const elapsed = Date.now() - started;
    clearInterval(walWatch);
    // The tail delivers every recent event (old ones may be purged before it gets to them).
    const tailedIds = () => new Set(tail.messages.map((message) => JSON.parse(message.data).id as string));
    for (let waited = 0; waited < 3000; waited += 100) {
      const seen = tailedIds();
      if ([...acknowledgedRecent].every((id) => seen.has(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    tail.close();
    const tailedSet = tailedIds();
    expect([...acknowledgedRecent].filter((id) => !tailedSet.has(id))).toEqual([]);

    console.info(
      `contention: ${elapsed} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `${acknowledged.size} events acknowledged, ${tail.messages.length} tailed, ` +
        `purge ${JSON.stringify(purgeReport)}, WAL max ${(walMax / 1024 / 1024).toFixed(1)} MiB`,
    );
    expect([...statuses.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(busyWithoutRetryAfter).toEqual([]);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    for (const result of cliResults) {
      expect(result.stderr).not.toMatch(/\n\s+at |unexpected error/);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(readdirSync(out).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect(purgeReport.runs).toBeGreaterThan(0);
    expect(purgeReport.purged).toBeGreaterThan(0);
    expect(walMax).toBeLessThan(WAL_BOUND_BYTES);

    // The tail saw no duplicate, and every recent acknowledged event is either stored or purged as old.
    const tailed = tail.messages.map((message) => message.id);
    expect(new Set(tailed).size).toBe(tailed.length);
    const db = new Database(home.dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(db.prepare('SELECT id FROM events').pluck().all() as string[]);
      // Every recent acknowledged event is stored; of the old half, the purge took what it found.
      expect([...acknowledgedRecent].filter((id) => !stored.has(id))).toEqual([]);
      const old = [...acknowledged].filter((id) => !acknowledgedRecent.has(id));
      expect(old.filter((id) => !stored.has(id)).length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }, 60_000);
});

describe('a busy database answers 503 with Retry-After on every writing endpoint, never 500', () => {
  it('while another connection holds the write lock', async () => {
    const fixture = await createFixture({ webhookAllowPrivate: true });
    // The same file, served by an app that waits only 50 ms for the lock.
    const db = openDatabase(fixture.dbFile, { busyTimeoutMs: 50 });
    const app = await buildApp({ db, rateLimitPerMinute: 1_000_000, webhookAllowPrivate: true });
    const blocker = new Database(fixture.dbFile);
    const headers = { authorization: `Bearer ${fixture.tokens.owner}` };
    const base = '/api/v1/organizations/default';
    const webhook = (
      await fixture.request({
        method: 'POST',
        url: `${base}/webhooks`,
        payload: { url: 'http://127.0.0.1:9/x', actions: ['user.*'] },
      })
    ).json().data.id;
    try {
      blocker.exec('BEGIN IMMEDIATE');
      const writes = [
        { method: 'POST', url: `${base}/audit-logs`, payload: { action: 'user.login' } },
        { method: 'POST', url: `${base}/exports`, payload: { kind: 'export', format: 'csv', count: 1 } },
        { method: 'POST', url: `${base}/gdpr/exports`, payload: { user: 'alice@example.com' } },
        { method: 'POST', url: `${base}/gdpr/erasures`, payload: { user: 'nobody@example.com' } },
        {
          method: 'POST',
          url: `${base}/webhooks`,
          payload: { url: 'http://127.0.0.1:9/y', actions: 'user.*' },
        },
        { method: 'PATCH', url: `${base}/webhooks/${webhook}`, payload: { description: 'x' } },
        { method: 'DELETE', url: `${base}/webhooks/${webhook}` },
      ] as const;
      for (const write of writes) {
        const response = await app.inject({ ...write, headers });
        expect(response.statusCode, `${write.method} ${write.url}: ${response.body}`).toBe(503);
        expect(response.headers['retry-after'], write.url).toMatch(/^\d+$/);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
      // Reads go on: WAL readers do not wait for the writer.
      const list = await app.inject({ method: 'GET', url: `${base}/audit-logs`, headers });
      expect(list.statusCode).toBe(200);
      // A failed authentication is audited; a busy database must not turn the 401 into a 500.
      const unknown = await app.inject({
        method: 'GET',
        url: `${base}/audit-logs`,
        headers: { authorization: 'Bearer nope' },
      });
      expect([401, 503]).toContain(unknown.statusCode);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
      await app.close();
      db.close();
      await fixture.close();
    }
  });
});
