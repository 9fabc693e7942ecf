import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { generateToken } from '../../src/domain/token.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import {
  BIN,
  cliEnv,
  ingestEvents,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { waitFor } from '../helpers/export-fixtures.js';
import { runInTerminal } from '../helpers/pty.js';

const review = (n: number): EventInput => ({ action: 'review.completed', metadata: { n } });
const numbersIn = (text: string) => [...text.matchAll(/"n":(\d+)/g)].map((match) => Number(match[1]));
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// In tests, the wait between attempts is at most this (documented in `audit help environment`).
const SHORT_BACKOFF = { AUDIT_TAIL_RETRY_MAX_MS: '200' };
const TAIL_ARGS = ['tail', '-n', '0', '-o', 'ndjson', '--action', 'review.completed'];

/** A server on a port of its own, with its database file; restartable on the same port. */
async function startAuditServer() {
  const home = tempHome();
  const env = cliEnv(home.configDir, SHORT_BACKOFF);
  const server = await startServerProcess(['--db', home.dbFile], env);
  return { home, env, server, token: server.token as string, port: new URL(server.url).port };
}

/** Stops the server, writes `events` to its file meanwhile (as an admin command would), waits `downFor`. */
async function outage(
  server: SpawnedServer,
  dbFile: string,
  events: EventInput[],
  downFor: () => Promise<void>,
) {
  await server.stop('SIGKILL');
  const db = openDatabase(dbFile);
  createStores(db).recorder.record(1, events);
  db.close();
  await downFor();
}

/** Until tail prints an event it may not be connected yet: sends one a quarter second apart until it does. */
async function untilFollowing(url: string, token: string, printed: () => string, first: number) {
  for (let n = first; numbersIn(printed()).length === 0 && n < first + 60; n++) {
    await ingestEvents(url, token, [review(n)]);
    await pause(250);
  }
  expect(numbersIn(printed()).length).toBeGreaterThan(0);
}

describe('audit tail through a server outage', () => {
  it('in a terminal: outlives more than 10 failed reconnects with one status line redrawn in place, then says "no events missed" and prints each event written meanwhile once', async () => {
    const { home, env, server: first, token, port } = await startAuditServer();
    const tail = runInTerminal(TAIL_ARGS, { env, columns: 100, killAfterMs: 120_000 });
    await untilFollowing(first.url, token, tail.output, 1);

    await outage(first, home.dbFile, [101, 102, 103, 104, 105].map(review), async () => {
      await tail.waitFor(/attempt 12, since \d\d:\d\d:\d\d\)/, 30_000);
    });
    const server = await startServerProcess(['--db', home.dbFile, '--port', port], env);
    await tail.waitFor(
      /audit: reconnected to http:\/\/127\.0\.0\.1:\d+ after \d+ s — no events missed\n/,
      30_000,
    );
    await ingestEvents(server.url, token, [review(106)]);
    await tail.waitFor(/"n":106/);
    await pause(300);

    const shown = tail.output();
    const back = shown.indexOf('audit: reconnected');
    expect(numbersIn(shown.slice(back))).toEqual([101, 102, 103, 104, 105, 106]);
    expect(numbersIn(shown.slice(0, back)).filter((n) => n > 100)).toEqual([]);
    // One row of the terminal held the status, redrawn in place at every attempt and countdown,
    // never wider than the terminal, and replaced by the line saying tail is back.
    const statusRows = shown.split('\n').filter((row) => row.includes('disconnected from'));
    expect(statusRows).toHaveLength(1);
    const redraws = (statusRows[0] as string).split('\r\u001b[2K').filter(Boolean);
    expect(redraws.length).toBeGreaterThan(11);
    for (const redraw of redraws) expect([...redraw].length).toBeLessThan(100);
    expect(redraws.at(-1)).toMatch(/^audit: reconnected to /);
    expect(redraws[0]).toMatch(
      /^disconnected from http:\/\/127\.0\.0\.1:\d+ — (retrying in 1 s|reconnecting) \(attempt 1, since \d\d:\d\d:\d\d\): /,
    );

    const stoppedAt = Date.now();
    tail.type('\u0003');
    const { code } = await tail.done;
    // SPEC: Ctrl-C ends tail with 0.
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    await server.stop();
  }, 150_000);

  it('in a terminal: Ctrl-C during a long wait the server asked for (Retry-After: 60) ends tail at once, the status line cleared', async () => {
    let requests = 0;
    const busy = createServer((_request, response) => {
      requests++;
      response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '60' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Busy', status: 503 }));
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const home = tempHome();
      const url = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
      const tail = runInTerminal(['tail', '-n', '0', '--server', url], {
        env: cliEnv(home.configDir, { AUDIT_TOKEN: generateToken() }),
        columns: 120,
        killAfterMs: 30_000,
      });
      await tail.waitFor(/retrying in (59|60) s \(attempt 1, since \d\d:\d\d:\d\d\): 503 Busy/);
      await pause(1500);
      const stoppedAt = Date.now();
      tail.type('\u0003');
      const { code, output } = await tail.done;
      expect(code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(3000);
      // The wait the server asked for was kept: one request, not one every few seconds.
      expect(requests).toBe(1);
      expect(output.endsWith('\r\u001b[2K')).toBe(true);
    } finally {
      busy.closeAllConnections();
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 60_000);

  it('with stderr not a terminal (a log file): one line when cut off and one when back, per outage, not one per attempt', async () => {
    const { home, env, server: first, token, port } = await startAuditServer();
    const child = spawn(process.execPath, [BIN, ...TAIL_ARGS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await untilFollowing(first.url, token, () => stdout, 1);

    let server = first;
    for (const outageNumber of [1, 2]) {
      const written = [1, 2, 3].map((n) => 100 * outageNumber + n);
      // Down for many attempts (each wait at most 0.2 s): still one line each way.
      await outage(server, home.dbFile, written.map(review), () => pause(4000));
      server = await startServerProcess(['--db', home.dbFile, '--port', port], env);
      await waitFor(() => numbersIn(stdout).includes(written.at(-1) as number), 30_000);
    }
    await pause(300);

    const after = numbersIn(stdout).filter((n) => n > 100);
    expect(after).toEqual([101, 102, 103, 201, 202, 203]);
    const address = 'http://127\\.0\\.0\\.1:\\d+';
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const index of [0, 2])
      expect(lines[index]).toMatch(
        new RegExp(`^audit: disconnected from ${address} \\(.+\\); retrying until Ctrl-C$`),
      );
    for (const index of [1, 3])
      expect(lines[index]).toMatch(
        new RegExp(`^audit: reconnected to ${address} after \\d+ s — no events missed$`),
      );
    // No redraws in a file: neither carriage returns nor escape sequences.
    expect(stderr.includes('\r') || stderr.includes('\u001b')).toBe(false);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await server.stop();
  }, 150_000);
});
