import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { generateToken } from '../../src/domain/token.js';
import { localAdministrator } from '../../src/server/server-actor.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { BIN, cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

interface Follower {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  waitForLines(count: number, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

function follow(args: string[], env: NodeJS.ProcessEnv): Follower {
  const child = spawn(process.execPath, [BIN, 'tail', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    lines.push(...complete.filter(Boolean));
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLines(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`tail printed ${lines.length} of ${count}: ${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (lines.length >= count) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

const review = (n: number): EventInput => ({ action: 'review.completed', metadata: { n } });

async function ingest(url: string, token: string, events: EventInput[]) {
  const response = await fetch(`${url}/api/v1/organizations/default/audit-logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(201);
}

/** What a misbehaving stream sends as data, SSE ids 2 to 6: none of it is a JSON object. */
const NOT_OBJECTS = ['[]', '"x"', '42', '{"id": broken}', '{"id":"log_cut"'];

/**
 * Not our server: its list answers one recent event; its stream sends a well-formed event, then
 * the NOT_OBJECTS, then another well-formed one, and stays open. Everything else is 404.
 */
async function startMisbehavingStream(): Promise<{ url: string; server: Server; good: string[] }> {
  const event = (id: string, action: string, second: number) =>
    JSON.stringify({ id, timestamp: `2026-01-01T00:00:0${second}.000Z`, category: 'auth', action });
  const recent = event('log_recent', 'user.logout', 0);
  const good = [event('log_good', 'user.login', 1), event('log_good_2', 'user.login_failed', 2)];
  const datas = [good[0], ...NOT_OBJECTS, good[1]];
  const frames = datas.map((data, index) => `id: ${index + 1}\ndata: ${data}\n\n`).join('');
  const server = createServer((request, response) => {
    if (request.url?.includes('/audit-logs/stream')) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`: connected at position 0\n\n${frames}`);
    } else if (request.url?.includes('/audit-logs?')) {
      const after = request.url.includes('after=');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        `{"data":[${after ? '' : recent}],"pagination":{"per_page":2,"next_cursor":null,"has_more":false}}`,
      );
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    good: [recent, ...good],
  };
}

describe('audit tail', () => {
  // Where it changes nothing a test is about, the CLI talks to the server through a proxy that
  // holds every answer to /openapi.json (behind the fault proxy, which then injects its faults
  // in front of it: the contract proxy sees only the server's real answers).
  const contracts: ContractProxy[] = [];
  const contractProxy = async (url: string) => {
    const contract = await startContractProxy(url);
    contracts.push(contract);
    return contract;
  };

  it('prints the last N, then follows across a server kill and restart with no gap and no duplicate', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    let server = await startServerProcess(['--db', home.dbFile], env);
    const token = server.token as string;
    const port = new URL(server.url).port;
    await ingest(server.url, token, [1, 2, 3].map(review));

    // Retries at most a second apart: this test is about what arrives, not about the back-off.
    const tail = follow(['-n', '2', '--action', 'review.completed', '-o', 'ndjson'], {
      ...env,
      AUDIT_TAIL_RETRY_MAX_MS: '1000',
    });
    await tail.waitForLines(2);
    await ingest(server.url, token, [4, 5].map(review));
    await tail.waitForLines(4);

    await server.stop('SIGKILL');
    // Written while the server is down (as an admin command would): must arrive after the restart.
    const db = openDatabase(home.dbFile);
    createStores(db).recorder.record(1, [6, 7].map(review));
    db.close();
    server = await startServerProcess(['--db', home.dbFile, '--port', port], env);
    await ingest(server.url, token, [8, 9].map(review));
    await tail.waitForLines(8);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const numbers = tail.lines.map((line) => JSON.parse(line).metadata.n);
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tail.stderr()).toMatch(
      /^audit: reconnected to http:\/\/127\.0\.0\.1:\d+ after \d+ s — no events missed$/m,
    );

    const started = Date.now();
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    await server.stop();
  });

  it('falls back to polling with `after` when the server offers no stream, still without gaps', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(['--db', home.dbFile], env);
    const token = server.token as string;
    const contract = await contractProxy(server.url);
    const proxy = await startFaultProxy(contract.url);
    proxy.failNext(1000, { status: 404, pathPattern: /\/audit-logs\/stream/ });
    await ingest(server.url, token, [1, 2].map(review));

    const tail = follow(['-n', '1', '--action', 'review.completed', '-o', 'ndjson', '--server', proxy.url], {
      ...env,
      AUDIT_TOKEN: token,
    });
    await tail.waitForLines(1);
    await ingest(server.url, token, [3, 4, 5].map(review));
    await tail.waitForLines(4);
    expect(tail.lines.map((line) => JSON.parse(line).metadata.n)).toEqual([2, 3, 4, 5]);
    expect(tail.stderr()).toContain('polling for new events instead');
    expect(proxy.requests.some((request) => /[?&]after=log_/.test(request.url))).toBe(true);

    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    await proxy.close();
    await contract.close();
    await server.stop();
  });

  it('prints a reconnect reason from a hostile 503 title without its escape, bidi or zero-width characters (no clipboard write)', async () => {
    const hostile = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ title: '\u001b]52;c;aGk=\u0007busy\u202e\u200b', status: 503 }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const home = tempHome();
      const tail = follow(
        ['-n', '0', '--server', `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`],
        {
          ...cliEnv(home.configDir),
          AUDIT_TOKEN: generateToken(),
          AUDIT_TAIL_MAX_RECONNECTS: '1',
        },
      );
      expect(await tail.exited).toBe(1);
      // It never got in: the first failure is "cannot connect", not "disconnected".
      expect(tail.stderr()).toMatch(/^audit: cannot connect to http:\/\/127\.0\.0\.1:\d+ \(503 busy/m);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the hostile characters are the point.
      expect(tail.stderr()).not.toMatch(/[\u001b\u0007\u202e\u200b]|52;c;/);
    } finally {
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });

  it('gives up with exit 1 after a bounded number of failed reconnects', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(['--db', home.dbFile], env);
    await ingest(server.url, server.token as string, [review(1)]);
    const tail = follow(['-n', '1'], { ...env, AUDIT_TAIL_MAX_RECONNECTS: '2' });
    // The stream is open before the recent events are read: once one is printed, tail is in.
    await tail.waitForLines(1);
    await server.stop('SIGKILL');
    expect(await tail.exited).toBe(1);
    expect(tail.stderr()).toMatch(/^audit: disconnected from .*; retrying at most 2 times/m);
    expect(tail.stderr()).toMatch(/gave up after 2 failed reconnects/);
  });

  // One policy for every -n and -o: a message that is not a JSON object is no event. It is
  // skipped with one warning line naming its SSE id, never printed, and tail goes on (a tail
  // left running must not end on one bad message; restarting it would skip it anyway).
  const formats = [[], ['-o', 'table'], ['-o', 'json'], ['-o', 'ndjson'], ['-o', 'csv']];
  it.each(
    ['0', '2'].flatMap((lines) =>
      formats.map((format) => [lines, format.join(' ') || '(default)', format] as const),
    ),
  )(
    '-n %s %s: skips a stream message that is not a JSON object with one warning naming its SSE id, and goes on',
    async (lines, _name, format) => {
      const stream = await startMisbehavingStream();
      const home = tempHome();
      const tail = follow(['-n', lines, ...format, '--server', stream.url], {
        ...cliEnv(home.configDir),
        AUDIT_TOKEN: generateToken(),
      });
      const events = lines === '0' ? stream.good.slice(1) : stream.good;
      const header = format[1] === 'json' || format[1] === 'ndjson' ? 0 : 1;
      await tail.waitForLines(header + events.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
      tail.child.kill('SIGINT');
      expect(await tail.exited).toBe(0);
      expect(tail.lines).toHaveLength(header + events.length);
      const printed = tail.lines.slice(header);
      if (header === 0) expect(printed).toEqual(events);
      else
        expect(printed.map((line) => /user\.(logout|login_failed|login)\b/.exec(line)?.[0])).toEqual(
          events.map((text) => JSON.parse(text).action),
        );
      expect(tail.stderr().trim().split('\n')).toEqual(
        NOT_OBJECTS.map(
          (_, index) =>
            `audit: warning: skipped an event that is not a JSON object (stream position ${index + 2})`,
        ),
      );
      stream.server.closeAllConnections();
      stream.server.close();
      rmSync(home.dir, { recursive: true, force: true });
    },
  );

  it('-n 0 does not print, as new, the events the admin commands wrote just before it started', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(['--db', home.dbFile], env);
    const token = server.token as string;
    const proxy = await startFaultProxy(server.url);
    // tail's stream request waits at the proxy until the admin commands below have written.
    const held = proxy.holdNext(1, { pathPattern: /\/audit-logs\/stream/ });
    const tail = follow(['-n', '0', '-o', 'ndjson', '--server', proxy.url], { ...env, AUDIT_TOKEN: token });
    await held.arrived;
    // As `audit server user add` and `audit server token create` do: their own connection to the
    // file, from outside the server. Written here, the moment before the request goes on, so the
    // server's own once-a-second look at the file cannot pick them up first by chance.
    // One commit, and the request released right after it: the window is as small as it gets.
    // The admin commands now run through the async engine, one write each, so their two writes
    // are made here in one transaction from the synchronous stores below them instead: the same
    // rows and the same records (server/admin.ts addUser and createToken).
    const adminConnection = openDatabase(home.dbFile);
    const stores = createStores(adminConnection);
    adminConnection.transaction(() => {
      const org = stores.directory.findOrganization('default');
      if (!org) throw new Error('no organization default');
      const { user } = stores.directory.upsertUser(org.id, {
        email: 'mo@example.com',
        name: 'Mo',
        role: 'member',
        teamName: undefined,
      });
      const created = stores.directory.createToken(user.id, 'read', 'from-cli');
      const actor = localAdministrator();
      stores.recorder.record(org.id, [
        {
          action: 'team.member_added',
          actor,
          target: { type: 'user', id: user.publicId, name: user.email },
          metadata: { role: user.role },
        },
        {
          action: 'security.api_token_created',
          actor,
          target: { type: 'api_token', id: created.record.prefix, name: 'from-cli' },
          metadata: { scope: 'read', owner: user.email },
        },
      ]);
    })();
    // Nothing else reaches the server before tail's stream has started.
    await held.release();

    // Until tail prints one, it may not be connected yet: send until it does.
    for (let n = 1; tail.lines.length === 0 && n < 40; n++) {
      await ingest(server.url, token, [review(n)]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // The server's poll of the file has run by now, too.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const actions = tail.lines.map((line) => JSON.parse(line).action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action !== 'review.completed')).toEqual([]);

    adminConnection.close();
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    await proxy.close();
    await server.stop();
  });

  it('warns once and goes on from the end when the server was restored from an older copy of its log', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    let server = await startServerProcess(['--db', home.dbFile], env);
    const token = server.token as string;
    const port = new URL(server.url).port;
    await ingest(server.url, token, [review(1)]);
    const olderCopy = `${home.dir}/older.db`;
    // A copy taken while the server runs, as an operator's nightly SQLite backup would be.
    const db = openDatabase(home.dbFile);
    await db.backup(olderCopy);
    db.close();

    const tail = follow(['-n', '1', '--action', 'review.completed', '-o', 'ndjson'], env);
    await tail.waitForLines(1);
    await ingest(server.url, token, [2, 3, 4].map(review));
    await tail.waitForLines(4);

    // The operator restores the older copy and starts the server again on the same port.
    expect(await server.stop()).toBe(0);
    for (const suffix of ['-wal', '-shm']) rmSync(`${home.dbFile}${suffix}`, { force: true });
    copyFileSync(olderCopy, home.dbFile);
    server = await startServerProcess(['--db', home.dbFile, '--port', port], env);
    // Once tail is back (it says so), what the restored server receives is printed.
    for (let waited = 0; !tail.stderr().includes('audit: warning:') && waited < 20_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await ingest(server.url, token, [5].map(review));
    await tail.waitForLines(5);
    await ingest(server.url, token, [6].map(review));
    await tail.waitForLines(6);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(tail.lines.map((line) => JSON.parse(line).metadata.n)).toEqual([1, 2, 3, 4, 5, 6]);
    const warnings = tail
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('audit: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/restored from an older copy/);

    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    await server.stop();
    // A restart and tail's reconnect back-off (up to ~5 s) on a shared 2-core machine.
  }, 60_000);

  it('exits 4 with a clear line when its token is revoked while it follows, not reconnecting for ever', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(['--db', home.dbFile], env);
    const token = server.token as string;
    const contract = await contractProxy(server.url);
    const tail = follow(['-n', '0', '-o', 'ndjson'], {
      ...env,
      AUDIT_SERVER: contract.url,
      AUDIT_TOKEN: token,
    });
    // Until tail prints one, it may not be connected yet: send until it does.
    for (let n = 1; tail.lines.length === 0 && n < 40; n++) {
      await ingest(server.url, token, [review(n)]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(tail.lines.length).toBeGreaterThan(0);
    // From another process, as an operator would.
    const revoke = await runCli(['server', 'token', 'revoke', token.slice(0, 12), '--db', home.dbFile], {
      env,
    });
    expect(revoke.code, revoke.stderr).toBe(0);
    const started = Date.now();
    expect(await tail.exited).toBe(4);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(tail.stderr()).toContain('the server ended the stream: the token was revoked');
    expect(tail.stderr()).toMatch(/^audit: .*revoked token.*run audit login$/m);
    await contract.close();
    await server.stop();
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    const checked = contracts.reduce((sum, contract) => sum + contract.checked(), 0);
    expect(checked).toBeGreaterThan(2);
    expect(contracts.flatMap((contract) => contract.violations)).toEqual([]);
  });
});
