#!/usr/bin/env node
// The server's side of the streamed export (GET …/audit-logs/export), measured alone:
//   node bench/export-stream-cpu.mjs --fill N [--db FILE]   fill a database with N bench events first
//   node bench/export-stream-cpu.mjs --db FILE               use a database filled before (org "default")
// (after npx tsc -p tsconfig.json). Prints one JSON line per measurement:
//   chunk-loop  the route's chunk loop in this process (exportChunk, the cursor, the line), no HTTP:
//               CPU µs per row, the most CPU one chunk took;
//   list-pages  the same range read as today's list route reads it, 1,000 a page: the yardstick;
//   http        the whole route over loopback, the server in a child process, this process a client
//               that reads and drops the bytes: the server's CPU µs per row and its event loop's
//               longest delay while the export ran (monitorEventLoopDelay).
// Each is the best of --rounds runs (default 3). It is not a test; the machine's load shows.

import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { eventSource } from './events.mjs';

const DIST = join(fileURLToPath(new URL('..', import.meta.url)), 'dist');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

if (args[0] === '--serve') await serve(args[1]);
else if (args.includes('--http-only')) await overHttp(option('--db'), Number(option('--rounds') ?? 3));
else await main();

async function open(file) {
  const { openDatabase } = await import(join(DIST, 'store', 'database.js'));
  const { buildApp } = await import(join(DIST, 'server', 'app.js'));
  return buildApp({ db: openDatabase(file), rateLimitPerMinute: 1_000_000, treeSealing: false });
}

async function main() {
  const fill = Number(option('--fill') ?? 0);
  const file = option('--db') ?? join(mkdtempSync(join(tmpdir(), 'audit-export-cpu-')), 'audit.db');
  const rounds = Number(option('--rounds') ?? 3);
  const app = await open(file);
  const { services } = app;
  const org = services.sqlite.directory.ensureOrganization('default').organization;
  if (fill > 0) {
    const makeEvent = eventSource(fill, Date.now() - 86_400_000);
    for (let start = 0; start < fill; start += 1000) {
      const batch = [];
      for (let i = start; i < Math.min(fill, start + 1000); i++) batch.push(makeEvent(i));
      services.sqlite.recorder.record(org.id, batch);
    }
  }
  const { EXPORT_CHUNK_MAX_BYTES, EXPORT_CHUNK_MAX_ROWS } = await import(join(DIST, 'domain', 'export-stream.js'));
  const limits = { maxRows: EXPORT_CHUNK_MAX_ROWS, maxBytes: EXPORT_CHUNK_MAX_BYTES };
  const filter = { receivedBefore: Date.now() + 1 };
  const scope = { kind: 'organization' };
  // Today's list route, a page of 1,000 at a time (EVENT_JSON per row, joined in JS): the same
  // run's yardstick, so the machine's load cancels out of the ratio.
  const listPage = (cursor) => {
    const page = services.sqlite.events.pageJson(org.id, filter, scope, { order: 'asc', limit: 1000, cursor });
    const last = page.last;
    const next = page.hasMore && last ? { order: 'asc', timestamp: last.ts, seq: last.seq } : undefined;
    const pagination = { per_page: 1000, next_cursor: next ? services.cursors.encode(org.id, next) : null };
    const body = `{"data":[${page.events.join(',')}],"pagination":${JSON.stringify(pagination)}}`;
    return { count: page.events.length, next, bytes: body.length };
  };
  const exportChunk = (cursor) => {
    const chunk = services.sqlite.events.exportChunk(org.id, filter, scope, { cursor, ...limits });
    if (chunk.count === 0) return { count: 0, next: undefined, bytes: 0 };
    const next = { order: 'asc', timestamp: chunk.last.ts, seq: chunk.last.seq };
    const head = Buffer.from(`{"cursor":${JSON.stringify(services.cursors.encode(org.id, next))},"rows":[`);
    const line = Buffer.concat([head, chunk.rows, Buffer.from(']}\n')]);
    return { count: chunk.count, next, bytes: line.length };
  };
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, read] of [
      ['chunk-loop', exportChunk],
      ['list-pages', listPage],
    ]) {
      const figures = timeLoop(read);
      if (!results[name] || figures.cpuMicrosPerRow < results[name].cpuMicrosPerRow) results[name] = figures;
    }
  }
  for (const [name, figures] of Object.entries(results)) console.log(JSON.stringify({ measure: name, ...figures }));
  await app.close();
  await overHttp(file, rounds);
}

/** Reads the whole range with `read` (one page or chunk per call, after a cursor): its costs. */
function timeLoop(read) {
  let cursor;
  let rows = 0;
  let bytes = 0;
  let longestCpu = 0;
  const cpu = cpuMicros();
  const started = performance.now();
  for (;;) {
    const before = cpuMicros();
    const { count, next, bytes: size } = read(cursor);
    longestCpu = Math.max(longestCpu, cpuMicros() - before);
    rows += count;
    bytes += size;
    if (next === undefined) break;
    cursor = next;
  }
  return {
    rows,
    megabytes: +(bytes / 1e6).toFixed(1),
    cpuMicrosPerRow: +((cpuMicros() - cpu) / rows).toFixed(2),
    seconds: +((performance.now() - started) / 1000).toFixed(2),
    longestCpuMs: +(longestCpu / 1000).toFixed(1),
  };
}


async function overHttp(file, rounds) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', file], {
    stdio: 'inherit',
    // --profile-server DIR: a V8 CPU profile of the server's side, written when it exits.
    execArgv: option('--profile-server') ? ['--cpu-prof', '--cpu-prof-dir', option('--profile-server')] : [],
  });
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      if (message) child.send(message);
    });
  const { url, token } = await ask();
  let best;
  for (let round = 0; round < rounds; round++) {
    await ask({ type: 'start' });
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/organizations/default/audit-logs/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    let bytes = 0;
    let tail = '';
    for await (const piece of response.body) {
      bytes += piece.length;
      tail = (tail + Buffer.from(piece).toString('latin1')).slice(-64);
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = Number(/"count":(\d+)/.exec(tail)?.[1]);
    const server = await ask({ type: 'stop' });
    const figures = {
      rows,
      megabytes: +(bytes / 1e6).toFixed(1),
      serverCpuMicrosPerRow: +(server.cpu / rows).toFixed(2),
      rowsPerSecond: Math.round(rows / seconds),
      serverMaxEventLoopDelayMs: +server.maxDelayMs.toFixed(1),
    };
    if (!best || figures.serverCpuMicrosPerRow < best.serverCpuMicrosPerRow) best = figures;
  }
  console.log(JSON.stringify({ measure: 'http', ...best }));
  child.send({ type: 'exit' });
}

async function serve(file) {
  const app = await open(file);
  const { createAdmin } = await import(join(DIST, 'server', 'admin.js'));
  const { SYSTEM_ACTOR } = await import(join(DIST, 'server', 'server-actor.js'));
  const admin = createAdmin(app.services.engine, SYSTEM_ACTOR);
  const email = `bench-${Date.now()}@localhost`;
  await admin.addUser('default', { email, name: 'bench', role: 'owner' });
  const { token } = await admin.createToken('default', email, 'read', 'bench');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let cpu = 0;
  process.on('message', async (message) => {
    if (message.type === 'start') {
      delay.reset();
      delay.enable();
      cpu = cpuMicros();
      process.send({ type: 'started' });
    } else if (message.type === 'stop') {
      delay.disable();
      process.send({ cpu: cpuMicros() - cpu, maxDelayMs: delay.max / 1e6 });
    } else if (message.type === 'exit') {
      await app.close();
      process.exit(0);
    }
  });
  process.send({ url: `http://127.0.0.1:${app.server.address().port}`, token });
}
