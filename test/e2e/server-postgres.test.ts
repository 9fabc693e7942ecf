import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BIN,
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';
import { openStream } from '../helpers/sse-client.js';

// Issue 23: several `audit server start --database` instances on one PostgreSQL database behave
// as one server: one owner token, one signing key, events ingested through one are listed,
// streamed and exported through another, and an instance killed mid-ingest loses nothing it
// acknowledged.

const STREAM = '/api/v1/organizations/default/audit-logs/stream';

const event = (i: number) => ({
  id: `log_evt-${i}`,
  action: 'tunnel.deleted',
  actor: { id: 'u-1', email: 'ana@example.com' },
  timestamp: new Date(Date.UTC(2026, 10, 20, 12, 0, i % 60)).toISOString(),
});

describePostgres('two server instances on one PostgreSQL database', () => {
  // Made in beforeAll, not here: without PostgreSQL the block is skipped, and a file whose every
  // test is skipped runs no hooks, the setup file's removal of its temp dirs among them.
  let homeA: ReturnType<typeof tempHome>;
  let homeB: ReturnType<typeof tempHome>;
  let database: TestDatabase;
  let envA: NodeJS.ProcessEnv;
  let envB: NodeJS.ProcessEnv;
  let a: SpawnedServer;
  let b: SpawnedServer;
  let token: string;

  beforeAll(async () => {
    homeA = tempHome();
    homeB = tempHome();
    database = await emptyDatabase();
    // One key file for both, as an operator gives every instance the same secret.
    const keyFile = join(homeA.dir, 'postgres.key');
    const shared = { AUDIT_DATABASE_URL: database.url, AUDIT_SECRETS_KEY_FILE: keyFile };
    envA = cliEnv(homeA.configDir, shared);
    envB = cliEnv(homeB.configDir, shared);
    // Started at the same moment on a new database: migrations, keys and the owner made once.
    [a, b] = await Promise.all([startServerProcess([], envA, 60_000), startServerProcess([], envB, 60_000)]);
    const tokens = [a.token, b.token].filter((printed) => printed !== undefined);
    expect(tokens).toHaveLength(1);
    token = tokens[0] as string;
  }, 90_000);
  afterAll(async () => {
    await a?.stop('SIGKILL');
    await b?.stop();
    await database?.drop();
    rmSync(homeA.dir, { recursive: true, force: true });
    rmSync(homeB.dir, { recursive: true, force: true });
  });

  it('both instances sign with one key', async () => {
    const keyOf = (server: SpawnedServer) => /^Log signing key: (.+)$/m.exec(server.stderr())?.[1];
    // stderr is a pipe of its own: its lines may arrive after stdout's Listening line.
    for (let wait = 0; wait < 100 && !(keyOf(a) && keyOf(b)); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(keyOf(a)).toBeDefined();
    expect(keyOf(a)).toBe(keyOf(b));
  });

  it('a follower on one instance receives what another ingests, in order, within a second', async () => {
    const stream = await openStream(`${b.url}${STREAM}`, {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
    });
    try {
      expect(stream.status).toBe(200);
      // One event first, untimed: a route's request validator is compiled on its first request,
      // which is not what this measures.
      const warmUp = stream.messages.length;
      await ingestEvents(a.url, token, [event(0)]);
      await stream.waitFor(warmUp + 1, 5000);
      const before = stream.messages.length;
      const sentAt = performance.now();
      await ingestEvents(a.url, token, [event(1), event(2), event(3)]);
      const messages = await stream.waitFor(before + 3, 5000);
      const latencyMs = performance.now() - sentAt;
      const ids = messages.slice(before).map((message) => (JSON.parse(message.data) as { id: string }).id);
      expect(ids).toEqual(['log_evt-1', 'log_evt-2', 'log_evt-3']);
      // LISTEN/NOTIFY, not the 1 s fallback poll (the bench reports the figure).
      expect(latencyMs).toBeLessThan(900);
    } finally {
      stream.close();
    }
  });

  it('audit tail pointed at one instance prints, once each, what is ingested through the other', async () => {
    const tail = spawn(
      process.execPath,
      [BIN, 'tail', '-n', '0', '-o', 'ndjson', '--action', 'review.completed'],
      {
        env: { ...envB, AUDIT_SERVER: b.url, AUDIT_TOKEN: token, AUDIT_ORG: 'default' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise((resolve) => tail.once('exit', resolve));
    let printed = '';
    tail.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      printed += chunk;
    });
    const numbers = () => [...printed.matchAll(/"n":(\d+)/g)].map((match) => Number(match[1]));
    const review = (n: number) => ({ action: 'review.completed', metadata: { n } });
    try {
      // Until tail prints an event it may not be following yet: one event a quarter second apart.
      let n = 1;
      for (; numbers().length === 0 && n < 60; n++) {
        await ingestEvents(a.url, token, [review(n)]);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const first = numbers()[0] as number;
      await ingestEvents(a.url, token, [review(100), review(101), review(102)]);
      for (let wait = 0; wait < 100 && !numbers().includes(102); wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const expected = [...Array.from({ length: n - first }, (_, i) => first + i), 100, 101, 102];
      expect(numbers()).toEqual(expected);
    } finally {
      // Ended before the file's end: a follower still running would outlive its temp dir.
      tail.kill('SIGINT');
      await exited;
    }
  }, 60_000);

  it('an instance killed mid-ingest loses nothing it acknowledged: the other lists and exports it all', async () => {
    const acknowledged: string[] = [];
    const sending = (async () => {
      for (let batch = 0; batch < 200; batch++) {
        const events = Array.from({ length: 50 }, (_, i) => event(1000 + batch * 50 + i));
        try {
          const stored = await ingestEvents<{ id: string }>(a.url, token, events);
          acknowledged.push(...stored.map((stored) => stored.id));
        } catch {
          return; // the instance is gone: what it did not acknowledge may or may not be stored
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await a.stop('SIGKILL');
    await sending;
    // Killed in the middle: some batches acknowledged, not all.
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeLessThan(200 * 50);
    const listed = new Set(
      (await fetchAllEvents<{ id: string }>(b.url, token, 'action=tunnel.deleted')).map((e) => e.id),
    );
    expect(acknowledged.filter((id) => !listed.has(id))).toEqual([]);

    const out = join(homeB.dir, 'export.csv');
    // The CLI pointed at instance B by environment (the token never in argv).
    const exported = await runCli(
      [
        'export',
        '--format',
        'csv',
        '-o',
        out,
        '--action',
        'tunnel.deleted',
        '--from',
        '2026-11-01',
        '--to',
        '2026-12-01',
      ],
      {
        env: { ...envB, AUDIT_SERVER: b.url, AUDIT_TOKEN: token, AUDIT_ORG: 'default' },
      },
    );
    expect(exported.code, exported.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(out, 'utf8');
    for (const id of acknowledged) expect(csv).toContain(id);
  }, 60_000);
});
