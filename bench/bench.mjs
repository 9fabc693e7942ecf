#!/usr/bin/env node
// `npm run bench [-- --events N]`: how fast `audit` does its real jobs, next to the fastest thing
// possible on the same machine in the same run. It reports numbers; it is not a test and never
// runs in `npm test`. It drives the built CLI (bin/audit.js → dist/), so build first.
//
// A fresh server (its own temp SQLite and config dir) is filled through the HTTP ingest API;
// the owner token reaches the CLI through the temp config dir's profile, never argv.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CATEGORY_NAMES, eventSource, RARE_TERM, random } from './events.mjs';
import { describeSseFigures, sseParserFigures } from './sse-parser.mjs';
import { reviewFigures, reviewRows } from './review-figures.mjs';
import { rollupIngest, rollupStoreIngest, statsQueryFigures } from './stats-figures.mjs';
import { ingestWithAndWithoutTree, millionFigures } from './tree-figures.mjs';
import { exportStreamFigures, exportStreamRows } from './export-figures.mjs';
import { postgresFigures, postgresTable } from './postgres-figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'audit.js');
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const options = {
    events: 200_000,
    treeEvents: 1_000_000,
    statsEvents: 1_000_000,
    json: undefined,
    keep: false,
    only: undefined,
    exportEvents: [200_000, 1_000_000],
    exportDbs: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--events' || arg === '-n') {
      const n = Number(value().replaceAll('_', ''));
      if (!Number.isInteger(n) || n < 1000) usage('--events: expected a whole number of at least 1000');
      options.events = n;
    } else if (arg === '--tree-events') {
      const n = Number(value().replaceAll('_', ''));
      if (!Number.isInteger(n) || n < 1000) usage('--tree-events: expected a whole number of at least 1000');
      options.treeEvents = n;
    } else if (arg === '--stats-events') {
      const n = Number(value().replaceAll('_', ''));
      if (!Number.isInteger(n) || n < 1000) usage('--stats-events: expected a whole number of at least 1000');
      options.statsEvents = n;
    } else if (arg === '--tree-db') options.treeDb = value();
    else if (arg === '--review-db') options.reviewDb = value();
    else if (arg === '--export-events') {
      const sizes = value().split(',').map((n) => Number(n.replaceAll('_', '')));
      if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1000))
        usage('--export-events: expected whole numbers of at least 1000, comma-separated');
      options.exportEvents = sizes;
    } else if (arg === '--export-db-1m') options.exportDbs[1_000_000] = value();
    else if (arg === '--export-db-200k') options.exportDbs[200_000] = value();
    else if (arg === '--database') options.databaseUrl = value();
    else if (arg === '--json') options.json = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--only') {
      options.only = value();
      if (!['tree', 'proofs', 'stats', 'review', 'export', 'postgres'].includes(options.only))
        usage('--only: expected tree, proofs, stats, review, export or postgres');
    }
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(
        'Usage: npm run bench [-- --events N] [--tree-events N] [--tree-db FILE] [--stats-events N] [--json FILE] [--keep] [--only tree|proofs|stats|review|export|postgres] [--database URL]\n\n' +
          '  --events N         events to ingest (default 200000)\n' +
          '  --tree-events N    events of the database for proofs and audit verify (default 1000000)\n' +
          '  --tree-db FILE     that database: filled and kept if FILE is missing, reused (no fill) if not\n' +
          '  --stats-events N   events over 30 days for the stats API figures (default 1000000)\n' +
          '  --json FILE        where to write the figures (default: a file in the temp directory)\n' +
          '  --keep             keep the temp directory (database, export files)\n' +
          '  --only tree        only the tamper-evident log figures (ingest with and without the tree,\n' +
          '                     then those at 1,000,000 events)\n' +
          '  --only proofs      only those at 1,000,000 events (inclusion proof, audit verify)\n' +
          '  --only review      only the security review over --tree-events events (100 days, review mix)\n' +
          '  --review-db FILE   its database: filled and kept if FILE is missing, reused (no fill) if not\n' +
          '  --only stats       only the stats API figures (ingest with and without event_counts kept,\n' +
          '                     then GET …/stats over 30 days of --stats-events events)\n' +
          '  --only export      only the streamed export figures: audit export --format csv vs sqlite3 -csv,\n' +
          '                     the server\'s event-loop gap and a list page during an export, peak RSS\n' +
          '  --export-events A,B  its sizes (default 200000,1000000)\n' +
          '  --export-db-200k FILE, --export-db-1m FILE\n' +
          '                     its databases: filled and kept if FILE is missing, reused (no fill) if not\n' +
          '  --only postgres    ingest (1 client; 4 clients over two instances), filtered page, search, export\n' +
          '                     and tail across instances on PostgreSQL, beside the same on SQLite, over --events\n' +
          '  --database URL     its PostgreSQL database (empty; it is filled); default: a throwaway durable\n' +
          '                     cluster on disk (.ci/postgres-cluster start --durable), stopped at the end\n',
      );
      process.exit(0);
    } else usage(`unknown option ${arg}`);
  }
  if (options.databaseUrl !== undefined) {
    if (options.only !== undefined && options.only !== 'postgres') usage('--database goes with --only postgres');
    options.only = 'postgres';
  }
  return options;
}

function usage(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Statistics and small helpers

const sorted = (values) => [...values].sort((a, b) => a - b);
function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (values) => percentile(values, 50);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  return { cpu: model.trim(), nproc: Number(nproc), node: process.version, platform: process.platform };
}

// ---------------------------------------------------------------------------------------------
// The server and the CLI

function cliEnv(configDir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AUDIT_')));
  return { ...env, AUDIT_CONFIG_DIR: configDir, NO_COLOR: '1' };
}

/**
 * `audit server start` on a SQLite file, or on a PostgreSQL database ({ url, keyFile }: the URL
 * through the environment, so its password is not in any process's argv). Only the instance that
 * creates the owner prints a token: another on the same database is started with { token: false }.
 */
function startServer(database, env, { token: needToken = true } = {}) {
  const where =
    typeof database === 'string' ? ['--db', database] : ['--secrets-key-file', database.keyFile];
  const serverEnv = typeof database === 'string' ? env : { ...env, AUDIT_DATABASE_URL: database.url };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'server', 'start', '--port', '0', ...where, '--rate-limit', '1000000', '--streams-per-token', '100'],
      { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise((done) => child.on('exit', (code) => done(code)));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const listening = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!listening) return;
      const token = /^\s+(adt_\w+)$/m.exec(stdout)?.[1];
      if (!token && needToken) reject(new Error('the server did not print an owner token (an empty database?)'));
      resolve({
        child,
        url: listening[1],
        token,
        stop() {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** Runs the CLI to completion; wall time, and peak RSS and CPU seconds through /usr/bin/time when there is one. */
function runCli(args, env, { stdoutFile } = {}) {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const command = timeBin ? timeBin : process.execPath;
  const argv = timeBin ? ['-f', 'BENCH-RSS-KB %M %U %S', process.execPath, BIN, ...args] : [BIN, ...args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      if (!stdoutFile) stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /BENCH-RSS-KB (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        code,
        seconds,
        stdout,
        stderr: stderr.replace(/.*BENCH-RSS-KB \d+ [\d.]+ [\d.]+\n?/, ''),
        peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
        cpuSeconds: rss ? Number(rss[2]) + Number(rss[3]) : Number.NaN,
      });
    });
  });
}

function serverTime(response) {
  const header = response.headers.get('server-timing') ?? '';
  const dur = /dur=([\d.]+)/.exec(header);
  return dur ? Number(dur[1]) : Number.NaN;
}

class Api {
  constructor(url, token) {
    this.base = `${url}/api/v1/organizations/default/audit-logs`;
    this.headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  }

  async ingest(events) {
    const response = await fetch(this.base, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify(events.length === 1 ? events[0] : { events }),
    });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${body.slice(0, 300)}`);
    return body;
  }

  /** One list page: the server's own time (Server-Timing) and the client's round trip. */
  async page(params) {
    const started = performance.now();
    const response = await fetch(`${this.base}?${new URLSearchParams(params)}`, { headers: this.headers });
    const body = await response.json();
    const roundTrip = performance.now() - started;
    if (response.status !== 200) throw new Error(`list answered ${response.status}: ${JSON.stringify(body)}`);
    return { server: serverTime(response), roundTrip, body };
  }
}

// ---------------------------------------------------------------------------------------------
// The figures

function startup() {
  const runs = 7;
  const time = (args) => {
    const samples = [];
    spawnSync(process.execPath, args, { cwd: ROOT }); // warm the file cache
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
      samples.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
    }
    return median(samples);
  };
  const bare = time(['-e', '0']);
  const version = time([BIN, '--version']);
  const help = time([BIN, '--help']);
  const logsHelp = time([BIN, 'logs', '--help']);
  return { bareNodeMs: bare, versionMs: version, helpMs: help, logsHelpMs: logsHelp, ratio: version / bare };
}

/** Batches of 1,000 from `clients` clients; given several Apis (instances), client k sends to the k-th in turn. */
async function ingestAll(api, makeEvent, from, to, clients) {
  const apis = Array.isArray(api) ? api : [api];
  let nextBatch = from;
  let batches = 0;
  const worker = async (_, k) => {
    while (nextBatch < to) {
      const start = nextBatch;
      const end = Math.min(to, start + 1000);
      nextBatch = end;
      const events = [];
      for (let i = start; i < end; i++) events.push(makeEvent(i));
      await apis[k % apis.length].ingest(events);
      batches++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { events: to - from, seconds, perSecond: (to - from) / seconds, batches };
}

async function filteredPage(api, end) {
  const next = random(42);
  const server = [];
  const roundTrip = [];
  for (let i = 0; i < 200; i++) {
    // A 30-day window somewhere in the year, one category: the incident-review query.
    const from = end - 365 * DAY + Math.floor(next() * 335) * DAY;
    const page = await api.page({
      category: CATEGORY_NAMES[i % CATEGORY_NAMES.length],
      from: new Date(from).toISOString(),
      to: new Date(from + 30 * DAY).toISOString(),
      per_page: '50',
    });
    server.push(page.server);
    roundTrip.push(page.roundTrip);
  }
  return {
    samples: server.length,
    serverP50Ms: percentile(server, 50),
    serverP99Ms: percentile(server, 99),
    roundTripP50Ms: percentile(roundTrip, 50),
    roundTripP99Ms: percentile(roundTrip, 99),
  };
}

async function deepPage(api, end) {
  const params = {
    category: 'auth',
    from: new Date(end - 366 * DAY).toISOString(),
    to: new Date(end).toISOString(),
    per_page: '50',
  };
  const repeat = async (extra) => {
    const server = [];
    for (let i = 0; i < 30; i++) server.push((await api.page({ ...params, ...extra })).server);
    return median(server);
  };
  const first = await repeat({});
  let cursor = null;
  let followed = 0;
  const walk = [];
  for (; followed < 100; followed++) {
    const page = await api.page(cursor ? { ...params, cursor } : params);
    walk.push(page.server);
    cursor = page.body.pagination.next_cursor;
    if (!cursor) break;
  }
  if (!cursor) return { followed, firstP50Ms: first, deepP50Ms: Number.NaN, ratio: Number.NaN };
  const deep = await repeat({ cursor });
  return { followed, firstP50Ms: first, deepP50Ms: deep, ratio: deep / first, walkP50Ms: median(walk) };
}

/** The client's round trip: a free-text search has no Server-Timing (its time would tell whether
 * the term occurs in another organization, src/server/app.ts). */
async function search(api) {
  const roundTrip = [];
  let found = 0;
  for (let i = 0; i < 50; i++) {
    const page = await api.page({ q: RARE_TERM, per_page: '50' });
    roundTrip.push(page.roundTrip);
    found = page.body.data.length;
  }
  return {
    term: RARE_TERM,
    found,
    roundTripP50Ms: percentile(roundTrip, 50),
    roundTripP99Ms: percentile(roundTrip, 99),
  };
}

/** Runs of each side, taken in turns; the figures are their medians (one run of each was noisy:
 * `sqlite3 -csv` alone ranged 121,000–182,000 rows/s between otherwise equal runs). */
const EXPORT_RUNS = 3;

/** The raw dump `audit export` is compared with: `sqlite3 -csv` of the file, or none without sqlite3. */
function sqliteDump(dbFile) {
  if (spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status !== 0) return undefined;
  return {
    name: 'sqlite3 -csv',
    dump: (file) =>
      spawnSync('sh', ['-c', `sqlite3 -csv -header "$1" 'SELECT * FROM events' > "$2"`, 'sh', dbFile, file]),
  };
}

/** `audit export --format csv` of the whole range through env's profile, beside rawDump (or none). */
async function exportFigures(env, dir, rawDump, end) {
  const from = new Date(end - 370 * DAY).toISOString().slice(0, 10);
  const to = new Date(end + 2 * DAY).toISOString().slice(0, 10);
  const runs = [];
  const dumps = [];
  for (let i = 0; i < EXPORT_RUNS; i++) {
    // A new name each time: replacing the previous export would add its unlink to the time.
    const file = join(dir, `export-${i}.csv`);
    const run = await runCli(
      ['export', '--format', 'csv', '--from', from, '--to', to, '--utc', '--no-input', '-o', file],
      env,
    );
    if (run.code !== 0) throw new Error(`audit export failed (${run.code}): ${run.stderr}`);
    runs.push({ rows: countLines(file) - 1, seconds: run.seconds, peakRssMb: run.peakRssMb, bytes: statSync(file).size });
    if (i < EXPORT_RUNS - 1) rmSync(file);
    if (!rawDump) continue;
    const rawFile = join(dir, `raw-${i}.csv`);
    const started = performance.now();
    const dump = rawDump.dump(rawFile);
    const seconds = (performance.now() - started) / 1000;
    if (dump.status !== 0) throw new Error(`${rawDump.name} failed: ${dump.stderr}`);
    dumps.push({ rows: countLines(rawFile) - 1, seconds });
    rmSync(rawFile);
  }
  const middle = (list) => sorted(list.map((run) => run.seconds))[Math.floor(list.length / 2)];
  const seconds = middle(runs);
  const rows = runs[runs.length - 1].rows;
  const result = {
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)),
    bytes: runs[runs.length - 1].bytes,
    runs,
    raw: null,
  };
  if (dumps.length > 0) {
    const rawSeconds = middle(dumps);
    const rawRows = dumps[dumps.length - 1].rows;
    const rowsPerSecond = rawRows / rawSeconds;
    result.raw = { name: rawDump.name, rows: rawRows, seconds: rawSeconds, rowsPerSecond, runs: dumps };
    result.ratioToRaw = result.rowsPerSecond / rowsPerSecond;
  }
  return result;
}

function countLines(file) {
  const buffer = readFileSync(file);
  let lines = 0;
  for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) lines++;
  return lines;
}

/** `audit tail -n 0 -o ndjson`: calls onLine for every event line it prints. */
function startTail(env, onLine) {
  const child = spawn(process.execPath, [BIN, 'tail', '-n', '0', '-o', 'ndjson'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line) onLine(line, performance.now());
      newline = buffered.indexOf('\n');
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Sends marker events until every follower has printed one: then they are all connected. */
async function waitUntilFollowing(api, followers, seen) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const marker = `bench-ready-${attempt}`;
    await api.ingest([{ action: 'settings.bench_probe', category: 'settings', description: marker }]);
    const deadline = performance.now() + 500;
    while (performance.now() < deadline) {
      if (followers.every((_, i) => seen[i].has(marker))) return;
      await sleep(10);
    }
  }
  throw new Error('the tail followers never printed the ready marker');
}

async function tailLatency(api, env) {
  const arrivals = new Map();
  const seenReady = [new Set()];
  const follower = startTail(env, (line, at) => {
    const description = JSON.parse(line).description ?? '';
    if (description.startsWith('bench-ready-')) seenReady[0].add(description);
    if (description.startsWith('bench-tail-')) arrivals.set(description, at);
  });
  try {
    await waitUntilFollowing(api, [follower], seenReady);
    const latencies = [];
    // From the POST's answer: what a follower waits once the event is acknowledged (at or below
    // zero when the follower printed it before the client read the answer).
    const afterAnswer = [];
    const posts = [];
    for (let i = 0; i < 200; i++) {
      const marker = `bench-tail-${i}`;
      const sent = performance.now();
      await api.ingest([{ action: 'settings.bench_probe', category: 'settings', description: marker }]);
      const answered = performance.now();
      const deadline = sent + 10_000;
      while (!arrivals.has(marker) && performance.now() < deadline) await sleep(1);
      if (!arrivals.has(marker)) throw new Error(`audit tail never printed ${marker}`);
      latencies.push(arrivals.get(marker) - sent);
      afterAnswer.push(arrivals.get(marker) - answered);
      posts.push(answered - sent);
    }
    return {
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      afterAnswerP50Ms: percentile(afterAnswer, 50),
      afterAnswerP95Ms: percentile(afterAnswer, 95),
      postP50Ms: percentile(posts, 50),
    };
  } finally {
    await follower.stop();
  }
}

const READY_MARKER = /"description":"(bench-ready-\d+)"/;
const REQUEST_ID = /"request_id":"([^"\\]+)"/;

/**
 * The concurrent phase's four ingest clients, on a thread of their own. This thread reads the
 * 20 followers' output (400,000 lines and more); clients sharing its event loop sent each next
 * batch only after the lines ahead of it were read, so the figure measured this harness as
 * much as the server. The events are those of eventSource(count, sourceEnd).
 */
function ingestOnOwnThread(server, count, sourceEnd) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { url: server.url, token: server.token, count, sourceEnd },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function ingestWorker() {
  const { url, token, count, sourceEnd } = workerData;
  const result = await ingestAll(new Api(url, token), eventSource(count, sourceEnd), 0, count, 4);
  parentPort.postMessage(result);
}

async function concurrent(api, server, env, dir, count, soloRate, end) {
  const errors = [];
  const seen = [];
  const counts = [];
  const followers = Array.from({ length: 20 }, (_, i) => {
    seen.push(new Set());
    counts.push(0);
    const requests = new Set();
    return startTail(env, (line) => {
      // 20 followers print 400,000 lines or more: read the two fields without parsing each
      // line, so this process takes as little as it can of the two cores being measured.
      const ready = READY_MARKER.exec(line)?.[1];
      if (ready) seen[i].add(ready);
      const request = REQUEST_ID.exec(line)?.[1];
      if (request === undefined) return;
      if (requests.has(request)) errors.push(`follower ${i} printed ${request} twice`);
      requests.add(request);
      counts[i]++;
    });
  });
  try {
    await waitUntilFollowing(api, followers, seen);
    const from = new Date(end - 370 * DAY).toISOString().slice(0, 10);
    const to = new Date(end + 2 * DAY).toISOString().slice(0, 10);
    const exporting = runCli(
      ['export', '--format', 'csv', '--from', from, '--to', to, '--utc', '--no-input', '-o', join(dir, 'concurrent.csv')],
      env,
    );
    const ingest = await ingestOnOwnThread(server, count, Date.now()).catch((error) => {
      errors.push(`ingest: ${error.message}`);
      return { events: count, seconds: Number.NaN, perSecond: Number.NaN };
    });
    const exported = await exporting;
    if (exported.code !== 0) errors.push(`export exited ${exported.code}: ${exported.stderr.trim()}`);
    // Every follower must print every event ingested while it followed: no gap, no duplicate.
    const deadline = performance.now() + 120_000;
    while (counts.some((c) => c < count) && performance.now() < deadline) await sleep(100);
    counts.forEach((c, i) => {
      if (c !== count) errors.push(`follower ${i} printed ${c} of ${count} events`);
    });
    return {
      followers: followers.length,
      ingest,
      ratioToSolo: ingest.perSecond / soloRate,
      exportSeconds: exported.seconds,
      errors,
    };
  } finally {
    const stopped = await Promise.all(followers.map((f) => f.stop()));
    stopped.forEach(({ code, signal }, i) => {
      const stderr = followers[i].stderr().trim();
      if (code !== 0 && signal !== 'SIGINT') errors.push(`follower ${i} exited ${code ?? signal}: ${stderr}`);
      else if (stderr) errors.push(`follower ${i} stderr: ${stderr.split('\n')[0]}`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The table

function rows(figures, total) {
  const { startup: s, sseParser, ingestOne, ingestFour, filtered, deep, search: q, exported: e, tail, concurrent: c } = figures;
  const atMillion = total >= 1_000_000 ? '' : ' (target is at 1,000,000)';
  const yes = (ok) => (ok === undefined ? 'n/a' : ok ? 'pass' : 'MISS');
  const raw = e.raw;
  return [
    [
      'start-up',
      `audit --version ${fmt(s.versionMs, 0)} ms vs node -e 0 ${fmt(s.bareNodeMs, 0)} ms = ${fmt(s.ratio, 2)}× (--help ${fmt(s.helpMs, 0)} ms, logs --help ${fmt(s.logsHelpMs, 0)} ms)`,
      '≤ 1.5× bare node',
      yes(s.ratio <= 1.5),
    ],
    [
      'SSE parser',
      describeSseFigures(sseParser),
      '≤ 1× the hand-written one',
      yes(sseParser.perEvent.ratio <= 1 && sseParser.bulk.ratio <= 1),
    ],
    [
      'ingest, 1 client',
      `${fmtInt(ingestOne.perSecond)} events/s (${fmtInt(ingestOne.events)} in ${fmt(ingestOne.seconds)} s)`,
      '≥ 20,000/s',
      yes(ingestOne.perSecond >= 20_000),
    ],
    [
      'ingest, 4 clients',
      `${fmtInt(ingestFour.perSecond)} events/s (${fmtInt(ingestFour.events)} in ${fmt(ingestFour.seconds)} s)`,
      '—',
      'info',
    ],
    [
      'filtered page',
      `p50 ${fmt(filtered.serverP50Ms, 2)} ms, p99 ${fmt(filtered.serverP99Ms, 2)} ms server time (round trip p50 ${fmt(filtered.roundTripP50Ms, 2)} ms)`,
      `p50 < 5 ms${atMillion}`,
      yes(filtered.serverP50Ms < 5),
    ],
    [
      'deep page',
      Number.isFinite(deep.ratio)
        ? `after ${deep.followed} cursors p50 ${fmt(deep.deepP50Ms, 2)} ms vs first ${fmt(deep.firstP50Ms, 2)} ms = ${fmt(deep.ratio, 2)}×`
        : `n/a (only ${deep.followed} pages)`,
      '≤ 2× first page',
      Number.isFinite(deep.ratio) ? yes(deep.ratio <= 2) : 'n/a',
    ],
    [
      'free-text search',
      `q=${q.term} (${q.found} hits) p50 ${fmt(q.roundTripP50Ms, 2)} ms, p99 ${fmt(q.roundTripP99Ms, 2)} ms round trip (no Server-Timing on a search)`,
      `p50 < 50 ms${atMillion}`,
      yes(q.roundTripP50Ms < 50),
    ],
    [
      'export',
      `${fmtInt(e.rowsPerSecond)} rows/s (${fmtInt(e.rows)} rows in ${fmt(e.seconds)} s) vs ${raw ? `${raw.name} ${fmtInt(raw.rowsPerSecond)} rows/s = ${fmt(e.ratioToRaw, 2)}×` : 'sqlite3 -csv n/a (not installed)'}, medians of ${EXPORT_RUNS}`,
      '≥ 1/3 of raw dump',
      raw ? yes(e.ratioToRaw >= 1 / 3) : 'n/a',
    ],
    [
      'export peak RSS',
      `${fmt(e.peakRssMb, 0)} MB`,
      `< 200 MB${atMillion}`,
      Number.isFinite(e.peakRssMb) ? yes(e.peakRssMb < 200) : 'n/a',
    ],
    [
      'tail latency',
      `ingest → line printed by audit tail: p50 ${fmt(tail.p50Ms, 1)} ms, p99 ${fmt(tail.p99Ms, 1)} ms over ${tail.samples}`,
      'p50 < 100 ms',
      yes(tail.p50Ms < 100),
    ],
    [
      'concurrent',
      `${c.followers} tails + 4 ingest clients + 1 export: ${c.errors.length} errors, ingest ${fmtInt(c.ingest.perSecond)} events/s = ${fmt(c.ratioToSolo * 100, 0)} % of solo`,
      'no errors, ≥ 70 % of solo',
      yes(c.errors.length === 0 && c.ratioToSolo >= 0.7),
    ],
  ];
}

/** Events per run of the tree-on / tree-off ingest comparison (3 runs of each side, 1 and 4 clients). */
const TREE_INGEST_EVENTS = 30_000;

function treeRows(figures) {
  const list = [];
  for (const t of figures.treeIngest ?? []) {
    list.push([
      `ingest with the tree, ${t.clients} client${t.clients > 1 ? 's' : ''}`,
      `${fmtInt(t.on.perSecond)} events/s vs ${fmtInt(t.off.perSecond)} without = ${fmt(Math.abs(1 - t.ratio) * 100, 1)} % ${t.ratio <= 1 ? 'slower' : 'faster'} (${fmtInt(t.events)} events into a new database, until all sealed; medians of ${t.runs}); server CPU ${fmt(t.cpuOn, 0)} vs ${fmt(t.cpuOff, 0)} µs an event`,
      '≤ 10 % below',
      t.ratio >= 0.9 ? 'pass' : 'MISS',
    ]);
  }
  const million = figures.treeMillion;
  if (million) {
    const n = fmtInt(million.events);
    const at = million.events >= 1_000_000 ? '' : ' (target is at 1,000,000)';
    const i = million.inclusion;
    list.push([
      'inclusion proof',
      `p50 ${fmt(i.p50Ms, 2)} ms, p99 ${fmt(i.p99Ms, 2)} ms at ${fmtInt(i.treeSize)} leaves, ${i.hashes} hashes (${i.source})`,
      `p50 < 5 ms${at}`,
      i.p50Ms < 5 ? 'pass' : 'MISS',
    ]);
    for (const [figure, v, target] of [
      ['audit verify --full', million.verifyFull, 100_000],
      ['audit verify FILE (NDJSON)', million.verifyFile, 150_000],
    ]) {
      const measured = !v.available
        ? 'command not available in this build'
        : v.failed
          ? `failed: exit ${v.failed.code}`
          : `${fmtInt(v.perSecond)} events/s (${n} events in ${fmt(v.seconds)} s, ${v.runs.length > 1 ? `median of ${v.runs.length}` : 'one run (over a minute)'}, peak RSS ${fmt(v.peakRssMb, 0)} MB)`;
      const result = !v.available ? 'n/a' : v.failed ? 'FAIL' : v.perSecond >= target ? 'pass' : 'MISS';
      list.push([figure, measured, `≥ ${fmtInt(target)} events/s${at}`, result]);
    }
    if (million.fill)
      list.push([
      'tree database fill',
      `${n} events recorded through the store in ${fmt(million.fill.recordSeconds)} s, sealed in ${fmt(million.fill.sealSeconds)} s (${fmtInt(million.events / million.fill.sealSeconds)} events/s)`,
      '—',
      'info',
    ]);
  }
  return list;
}

function statsRows(figures) {
  const list = [];
  const r = figures.rollupIngest;
  if (r) {
    list.push([
      'ingest keeping event_counts, 1 client',
      `server CPU ${fmt(r.cpuOn, 0)} vs ${fmt(r.cpuOff, 0)} µs an event without = ${fmt(Math.abs(r.cpuOn / r.cpuOff - 1) * 100, 1)} % ${r.cpuOn >= r.cpuOff ? 'more' : 'less'}; ${fmtInt(r.on.perSecond)} vs ${fmtInt(r.off.perSecond)} events/s (${fmtInt(r.events)} events into a new database, medians of ${r.runs}; the rate is the noisier figure)`,
      '≤ 5 % more CPU',
      r.cpuOn <= r.cpuOff * 1.05 ? 'pass' : 'MISS',
    ]);
  }
  const store = figures.rollupStoreIngest;
  if (store) {
    list.push([
      'ingest keeping event_counts, through the store',
      `CPU ${fmt(store.cpuOn, 1)} vs ${fmt(store.cpuOff, 1)} µs an event without = ${fmt(Math.abs(store.cpuOn / store.cpuOff - 1) * 100, 1)} % ${store.cpuOn >= store.cpuOff ? 'more' : 'less'} (${fmtInt(store.events)} events, 1,000 a transaction, medians of ${store.runs})`,
      '≤ 5 % more CPU',
      store.cpuOn <= store.cpuOff * 1.05 ? 'pass' : 'MISS',
    ]);
  }
  for (const q of figures.stats?.queries ?? []) {
    const at = figures.stats.events >= 1_000_000 ? '' : ' (target is at 1,000,000)';
    list.push([
      `stats group_by=${q.groupBy}${q.tz === 'UTC' ? '' : ` tz=${q.tz}`}, 30 days`,
      `server p50 ${fmt(q.server.p50Ms, 1)} ms, p95 ${fmt(q.server.p95Ms, 1)} ms (Server-Timing, ${q.server.samples} requests, ${fmtInt(q.total)} events); plain GROUP BY over events p50 ${fmt(q.raw.p50Ms, 1)} ms, p95 ${fmt(q.raw.p95Ms, 1)} ms`,
      q.tz === 'UTC' ? `p50 < 50 ms${at}` : '— (counts the events)',
      q.tz !== 'UTC' ? 'info' : q.server.p50Ms < 50 ? 'pass' : 'MISS',
    ]);
  }
  return list;
}

function table(header, body) {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) usage('dist/ is missing: run npm run build first');
  const total = options.events;
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  const dbFile = join(dir, 'audit.db');
  const env = cliEnv(configDir);
  const began = performance.now();
  const figures = { events: total, machine: machine(), startedAt: new Date().toISOString() };
  let server;
  try {
    if (options.only === undefined) {
      log('start-up: medians of 7');
      figures.startup = startup();
      log('SSE parser: 100,000 events, against the hand-written one it replaced');
      figures.sseParser = await sseParserFigures(100_000);

      server = await startServer(dbFile, env);
      const api = new Api(server.url, server.token);
      const end = Date.now() - DAY;
      const makeEvent = eventSource(total, end);
      const half = Math.floor(total / 2000) * 1000;
      log(`ingest: ${half} events with one client`);
      figures.ingestOne = await ingestAll(api, makeEvent, 0, half, 1);
      log(`ingest: ${total - half} events with four clients`);
      figures.ingestFour = await ingestAll(api, makeEvent, half, total, 4);

      log('filtered page');
      figures.filtered = await filteredPage(api, end);
      log('deep page');
      figures.deep = await deepPage(api, end);
      log('free-text search');
      figures.search = await search(api);
      log('export');
      figures.exported = await exportFigures(env, dir, sqliteDump(dbFile), end);
      log('tail latency');
      figures.tail = await tailLatency(api, env);
      const extra = Math.min(100_000, Math.max(20_000, Math.floor(total / 10 / 1000) * 1000));
      log(`concurrent: 20 tails, 4 ingest clients (${extra} events), 1 export`);
      figures.concurrent = await concurrent(api, server, env, dir, extra, figures.ingestFour.perSecond, end);
      figures.databaseBytes = statSync(dbFile).size;
      await server.stop();
      server = undefined;
    }
    if (options.only === 'postgres') {
      figures.postgres = await postgresFigures({
        root: ROOT,
        dir,
        events: total,
        databaseUrl: options.databaseUrl,
        log,
        cliEnv,
        startServer,
        Api,
        ingestAll,
        filteredPage,
        search,
        exportFigures,
        sqliteDump,
        tailLatency,
      });
    }
    if (options.only === undefined || options.only === 'review') {
      const reviewConfig = join(dir, 'review-config');
      mkdirSync(reviewConfig);
      figures.review = await reviewFigures({
        dir,
        events: options.treeEvents,
        reviewDb: options.reviewDb,
        serverTime,
        log,
        runCli,
        env: cliEnv(reviewConfig),
        configDir: reviewConfig,
      });
    }
    if (options.only === undefined || options.only === 'export') {
      figures.exportStream = await exportStreamFigures({
        dir,
        sizes: options.exportEvents,
        dbFiles: options.exportDbs,
        runCli,
        cliEnv,
        log,
      });
    }
    if (options.only === undefined || options.only === 'stats') {
      log('stats: ingest with and without event_counts kept, 1 client, 3 runs each in turns');
      figures.rollupIngest = await rollupIngest({
        dir,
        events: TREE_INGEST_EVENTS,
        clients: 1,
        runs: 3,
        Api,
        ingestAll,
        log,
      });
      log('stats: the same through the store, no HTTP, 5 runs each in turns');
      figures.rollupStoreIngest = await rollupStoreIngest({ dir, events: TREE_INGEST_EVENTS, runs: 5, log });
      figures.stats = await statsQueryFigures({ dir, events: options.statsEvents, serverTime, log });
    }
    figures.treeIngest = [];
    for (const clients of ['proofs', 'stats', 'review', 'export', 'postgres'].includes(options.only) ? [] : [1, 4]) {
      log(`tree: ingest with and without the Merkle tree, ${clients} client(s), 3 runs each in turns`);
      figures.treeIngest.push(
        await ingestWithAndWithoutTree({
          dir,
          events: TREE_INGEST_EVENTS,
          clients,
          runs: 3,
          Api,
          ingestAll,
          makeEvent: eventSource(TREE_INGEST_EVENTS, Date.now() - DAY),
          log,
        }),
      );
    }
    const treeConfig = join(dir, 'tree-config');
    mkdirSync(treeConfig);
    if (!['stats', 'review', 'export', 'postgres'].includes(options.only)) figures.treeMillion = await millionFigures({
      dir,
      events: options.treeEvents,
      treeDb: options.treeDb,
      env: cliEnv(treeConfig),
      configDir: treeConfig,
      runCli,
      serverTime,
      log,
    });
  } finally {
    if (server) await server.stop();
  }
  figures.totalSeconds = (performance.now() - began) / 1000;

  const body = [
    ...(figures.startup ? rows(figures, total) : []),
    ...exportStreamRows(figures),
    ...statsRows(figures),
    ...treeRows(figures),
    ...reviewRows(figures),
  ];
  figures.table = body.map(([figure, measured, target, result]) => ({ figure, measured, target, result }));
  const m = figures.machine;
  process.stdout.write(
    `\naudit bench: ${fmtInt(total)} events · ${m.cpu}, ${m.nproc} cores · node ${m.node} · ${fmt(figures.totalSeconds, 0)} s\n\n`,
  );
  if (body.length > 0) process.stdout.write(`${table(['figure', 'measured', 'target', 'result'], body)}\n\n`);
  if (figures.postgres) {
    const { header, rows: pgRows, notes } = postgresTable(figures.postgres, { fmt, fmtInt });
    figures.postgresTable = pgRows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
    process.stdout.write(`${table(header, pgRows)}\n\n${notes.join('\n')}\n\n`);
  }
  if (figures.concurrent && figures.concurrent.errors.length > 0)
    process.stdout.write(`concurrent errors:\n  ${figures.concurrent.errors.slice(0, 10).join('\n  ')}\n\n`);
  const jsonFile = options.json ?? join(tmpdir(), `audit-bench-${total}-${Date.now()}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`figures: ${jsonFile}\n`);
  if (options.keep) process.stdout.write(`kept: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

if (isMainThread) {
  main().catch((error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  await ingestWorker();
}
