// The streamed export's figures for `npm run bench` (issue 24), `node bench/bench.mjs --only export`:
// at each size (default 200,000 and 1,000,000 bench events, ~300 bytes of CSV a row),
//
// - rows/s of `audit export --format csv` against a raw dump of the same table by `sqlite3 -csv
//   -header DB 'SELECT * FROM events'` in the same run, medians of 3 runs each taken in turns;
// - while one more export runs: the server's event-loop max gap, measured from outside (a probe
//   asks GET /healthz every ~5 ms on a connection of its own; its round trip is an upper bound of
//   the gap), and a concurrent `audit logs`-sized page (GET …/audit-logs?per_page=50) every
//   ~100 ms on a third connection;
// - peak RSS of the server (VmHWM of `audit server start`, started fresh for each size) and of
//   the CLI (/usr/bin/time, as bench.mjs's runCli), to read off whether they are flat in size.
//
// The databases are filled through the store by bench/tree-server.mjs (sealed, so the server has
// nothing to seal when it starts) and kept if a path is given (`--export-db-1m FILE`): the 1M fill
// takes minutes. The server is the product's `audit server start`; the bench's owner and token are
// made with `audit server user add` / `audit server token create` and reach the CLI through a
// profile in a temp config dir, never argv.

import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startTreeServer } from './tree-figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'audit.js');
const DIST = join(ROOT, 'dist');
const DAY = 86_400_000;

/** Timed runs of each side, in turns; the rows/s are their medians. */
const RUNS = 3;
/** How often the probe asks /healthz, and the concurrent list page is asked. */
const PROBE_EVERY_MS = 5;
const PAGE_EVERY_MS = 100;
const BENCH_OWNER = 'bench-export@localhost';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (values) => percentile(values, 50);

/**
 * The figures at every size of `sizes`; `dbFiles[size]` is a database to reuse (or to fill and
 * keep when missing). `runCli(args, env)` and `cliEnv(configDir)` are bench.mjs's.
 */
export async function exportStreamFigures({ dir, sizes, dbFiles = {}, runCli, cliEnv, log }) {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const figures = { commit, sizes: [], runs: RUNS, probeEveryMs: PROBE_EVERY_MS, pageEveryMs: PAGE_EVERY_MS };
  for (const size of sizes) {
    const dbFile = dbFiles[size] ?? join(dir, `export-${size}.db`);
    figures.sizes.push(await figuresAtSize({ dir, size, dbFile, runCli, cliEnv, log }));
  }
  return figures;
}

async function figuresAtSize({ dir, size, dbFile, runCli, cliEnv, log }) {
  const n = fmtInt(size);
  const reused = existsSync(dbFile);
  let fill;
  if (reused) log(`export ${n}: reusing ${dbFile}`);
  else {
    log(`export ${n}: filling ${dbFile} through the store (sealed; the 1,000,000 fill takes minutes)`);
    const filler = await startTreeServer(dbFile, { fill: size });
    fill = filler.filled;
    await filler.stop();
    log(`  recorded in ${fmt(fill.recordSeconds)} s, sealed in ${fmt(fill.sealSeconds)} s`);
  }
  // The WAL folded into the file: both sides read one file, and the raw dump does not do it.
  const db = new Database(dbFile);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const events = db.prepare('SELECT count(*) FROM events').pluck().get();
  db.close();

  const configDir = join(dir, `export-${size}-config`);
  mkdirSync(configDir, { recursive: true });
  const env = cliEnv(configDir);
  const token = benchToken(dbFile, env);
  const baseline = rawBaseline(dbFile);
  log(`  ${fmtInt(events)} events; the raw baseline: ${baseline.name}`);
  // The file into the page cache, so that neither side's first run pays for the disk.
  spawnSync('cat', [dbFile], { stdio: ['ignore', 'ignore', 'ignore'] });

  const server = await startServer(dbFile, env);
  try {
    const { openProfileStore } = await import(join(DIST, 'config', 'profile-store.js'));
    openProfileStore(configDir).saveActive('default', { server: server.url, org: 'default', token });
    const streamed = await hasExportRoute(server.url);
    const serverStartRssMb = server.peakRssMb();
    // The server warmed (routes compiled, start-up's checkpoint signed), then the probe alone:
    // its floor on this machine, next to which the figures during the export are read.
    await probeWhile(server.url, token, sleep(1500), { pages: true });
    const idleProbe = await probeWhile(server.url, token, sleep(3000));
    const end = Date.now();
    const exportArgs = (file) => [
      'export', '--format', 'csv',
      '--from', new Date(end - 400 * DAY).toISOString().slice(0, 10),
      '--to', new Date(end + 2 * DAY).toISOString().slice(0, 10),
      '--utc', '--no-input', '-o', file,
    ];
    const cliRuns = [];
    const rawRuns = [];
    for (let i = 0; i < RUNS; i++) {
      // A new name each time: replacing the previous file would add its unlink to the time.
      const file = join(dir, `export-${size}-${i}.csv`);
      const serverCpu = server.cpuSeconds();
      const run = await runCli(exportArgs(file), env);
      if (run.code !== 0) throw new Error(`audit export failed (${run.code}): ${run.stderr}`);
      const rows = countLines(file) - 1;
      cliRuns.push({
        rows,
        seconds: run.seconds,
        peakRssMb: run.peakRssMb,
        bytes: statSync(file).size,
        // CPU a row (µs): steadier than the rate on a machine shared with other work.
        cliCpuMicros: (run.cpuSeconds * 1e6) / rows,
        serverCpuMicros: ((server.cpuSeconds() - serverCpu) * 1e6) / rows,
      });
      rmSync(file);
      log(
        `  audit export run ${i + 1}: ${fmtInt(rows / run.seconds)} rows/s (${fmt(run.seconds, 2)} s, CLI peak RSS ${fmt(run.peakRssMb, 0)} MB; CPU a row: CLI ${fmt(cliRuns.at(-1).cliCpuMicros)} µs, server ${fmt(cliRuns.at(-1).serverCpuMicros)} µs)`,
      );
      const rawFile = join(dir, `raw-${size}-${i}.csv`);
      const seconds = baseline.run(dbFile, rawFile);
      rawRuns.push({ rows: countLines(rawFile) - 1, seconds, bytes: statSync(rawFile).size });
      rmSync(rawFile);
      log(`  ${baseline.short} run ${i + 1}: ${fmtInt(rawRuns.at(-1).rows / seconds)} rows/s (${fmt(seconds, 2)} s)`);
    }
    // One more export, with the probe and the list page beside it (not timed with the others:
    // the probes take some of the two cores).
    const file = join(dir, `export-${size}-probed.csv`);
    const probed = runCli(exportArgs(file), env);
    const during = await probeWhile(server.url, token, probed, { pages: true });
    const probedRun = await probed;
    if (probedRun.code !== 0) throw new Error(`audit export failed (${probedRun.code}): ${probedRun.stderr}`);
    const probedRows = countLines(file) - 1;
    rmSync(file);
    log(
      `  during an export (${fmtInt(probedRows / probedRun.seconds)} rows/s): /healthz probe max ${fmt(during.probe.maxMs)} ms, p99 ${fmt(during.probe.p99Ms)} ms over ${during.probe.samples} (the bench's own loop: max ${fmt(during.probe.benchLoop.maxMs)} ms); list page p50 ${fmt(during.page.p50Ms)} ms, max ${fmt(during.page.maxMs)} ms over ${during.page.samples}`,
    );
    const serverPeakRssMb = server.peakRssMb();
    const seconds = median(cliRuns.map((r) => r.seconds));
    const rawSeconds = median(rawRuns.map((r) => r.seconds));
    const rows = cliRuns.at(-1).rows;
    const rawRows = rawRuns.at(-1).rows;
    return {
      size,
      events,
      dbFile: reused || !dbFile.startsWith(dir) ? dbFile : undefined,
      reused,
      fill,
      streamedRoute: streamed,
      baseline: baseline.name,
      rows,
      seconds,
      rowsPerSecond: rows / seconds,
      bytesPerRow: cliRuns.at(-1).bytes / rows,
      raw: { rows: rawRows, seconds: rawSeconds, rowsPerSecond: rawRows / rawSeconds, runs: rawRuns },
      ratioToRaw: rows / seconds / (rawRows / rawSeconds),
      cliRuns,
      cliCpuMicros: median(cliRuns.map((r) => r.cliCpuMicros)),
      serverCpuMicros: median(cliRuns.map((r) => r.serverCpuMicros)),
      cliPeakRssMb: Math.max(...cliRuns.map((r) => r.peakRssMb), probedRun.peakRssMb),
      serverStartRssMb,
      serverPeakRssMb,
      idleProbe: idleProbe.probe,
      probedExport: { rows: probedRows, seconds: probedRun.seconds, rowsPerSecond: probedRows / probedRun.seconds },
      probe: during.probe,
      page: during.page,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The server, its token, its memory

/** An owner and a read token for the bench, made by the product's own admin commands. */
function benchToken(dbFile, env) {
  const run = (args) => {
    const result = spawnSync(process.execPath, [BIN, 'server', ...args, '--db', dbFile], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`audit server ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  run(['user', 'add', '--email', BENCH_OWNER, '--role', 'owner']);
  const token = run(['token', 'create', '--user', BENCH_OWNER, '--name', 'bench export']);
  if (!/^adt_\w+$/.test(token)) throw new Error(`audit server token create printed no token: ${token.slice(0, 200)}`);
  return token;
}

/** `audit server start` on the database (no /usr/bin/time in between: its pid is the server's). */
function startServer(dbFile, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'server', 'start', '--port', '0', '--db', dbFile, '--rate-limit', '1000000', '--log-level', 'error'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const exited = new Promise((done) => child.on('exit', (code) => done(code)));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const listening = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!listening) return;
      resolve({
        url: listening[1],
        peakRssMb: () => statusKb(child.pid, 'VmHWM') / 1024,
        cpuSeconds: () => cpuSeconds(child.pid),
        stop() {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** A field of /proc/PID/status in kB (VmHWM: the peak resident set so far). */
function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** User and system CPU seconds of a process so far (/proc/PID/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

async function hasExportRoute(url) {
  const openapi = await (await fetch(`${url}/openapi.json`)).json();
  return Object.keys(openapi.paths ?? {}).some((path) => path.endsWith('/audit-logs/export'));
}

// ---------------------------------------------------------------------------------------------
// The probes

/** A GET on a keep-alive connection of its own (maxSockets 1): status and round trip. */
function requester(url, headers = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.get(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }));
        response.on('error', reject);
      });
      req.on('error', reject);
    });
  return { request, close: () => agent.destroy() };
}

/** Asks `request` every `everyMs` (one at a time) until stopped: the round trips. */
function every(everyMs, { request }) {
  const samples = [];
  const errors = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const answer = await request();
        if (answer.status === 200) samples.push(answer.ms);
        else errors.push(`status ${answer.status}`);
      } catch (error) {
        errors.push(error.message);
      }
      const wait = everyMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
    }
  })();
  return async () => {
    running = false;
    await done;
    return { samples, errors };
  };
}

const summary = ({ samples, errors }) => ({
  samples: samples.length,
  p50Ms: percentile(samples, 50),
  p99Ms: percentile(samples, 99),
  maxMs: samples.length ? samples.reduce((max, ms) => Math.max(max, ms)) : Number.NaN,
  slowestMs: [...samples].sort((a, b) => b - a).slice(0, 10),
  errors: errors.slice(0, 10),
  errorCount: errors.length,
});

/** The /healthz probe (and with `pages`, the list page) for as long as `until` is pending. */
async function probeWhile(url, token, until, { pages = false } = {}) {
  const probe = requester(`${url}/healthz`);
  const page = requester(`${url}/api/v1/organizations/default/audit-logs?per_page=50`, {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
  });
  // The bench's own event loop, watched meanwhile: a probe round trip that the bench itself
  // delayed (a machine short of CPU stalls every process) is not the server's gap.
  const ownLoop = monitorEventLoopDelay({ resolution: 5 });
  ownLoop.enable();
  const stopProbe = every(PROBE_EVERY_MS, probe);
  const stopPage = pages ? every(PAGE_EVERY_MS, page) : undefined;
  // The probes stop whether `until` resolves or not; its failure is the caller's to see.
  await Promise.resolve(until).catch(() => {});
  const probed = await stopProbe();
  const paged = stopPage ? await stopPage() : undefined;
  ownLoop.disable();
  probe.close();
  page.close();
  const benchLoop = { maxMs: ownLoop.max / 1e6, p99Ms: ownLoop.percentile(99) / 1e6 };
  return { probe: { ...summary(probed), benchLoop }, page: paged ? summary(paged) : undefined };
}

// ---------------------------------------------------------------------------------------------
// The raw baseline

/**
 * `sqlite3 -csv -header DB 'SELECT * FROM events'` if this machine's sqlite3 reads the database;
 * else the same opened read-only; else a plain better-sqlite3 loop that writes the rows as CSV
 * (slower than the sqlite3 shell's C, so a ratio against it flatters the export: the output says so).
 */
function rawBaseline(dbFile) {
  const version = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  const tried = [];
  if (version.status === 0) {
    const v = version.stdout.split(' ')[0];
    for (const flags of [[], ['-readonly']]) {
      const check = spawnSync('sqlite3', [...flags, '-csv', dbFile, 'SELECT * FROM events LIMIT 1'], { encoding: 'utf8' });
      if (check.status === 0 && check.stdout.length > 0) {
        const shown = ['sqlite3', ...flags, '-csv', '-header'].join(' ');
        return {
          name: `${shown} DB 'SELECT * FROM events' (sqlite3 ${v})`,
          short: shown,
          run: (db, out) =>
            timed(() =>
              spawnSync('sh', ['-c', `sqlite3 ${flags.join(' ')} -csv -header "$1" 'SELECT * FROM events' > "$2"`, 'sh', db, out]),
            ),
        };
      }
      tried.push(`sqlite3 ${flags.join(' ')}: ${(check.stderr || 'no rows').trim().split('\n')[0]}`);
    }
  } else tried.push('sqlite3 is not installed');
  return {
    name: `better-sqlite3 iterate-and-write of SELECT * FROM events (${tried.join('; ')}) — slower than the sqlite3 shell`,
    short: 'better-sqlite3 dump',
    run: (db, out) => timed(() => spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--raw-dump', db, out])),
  };
}

function timed(run) {
  const started = performance.now();
  const result = run();
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`the raw dump failed: ${result.stderr}`);
  return seconds;
}

/** The fallback baseline: every row of events as CSV, header first, in the table's order. */
async function rawDump(dbFile, outFile) {
  const db = new Database(dbFile, { readonly: true });
  const statement = db.prepare('SELECT * FROM events').raw(true);
  const out = createWriteStream(outFile);
  const cell = (value) => {
    if (value === null) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  let buffer = `${statement.columns().map((c) => cell(c.name)).join(',')}\n`;
  for (const row of statement.iterate()) {
    buffer += `${row.map(cell).join(',')}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((resolve) => out.on('finish', resolve));
  db.close();
}

function countLines(file) {
  const buffer = readFileSync(file);
  let lines = 0;
  for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) lines++;
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The table's rows

/** One line a figure, with the issue's targets. */
export function exportStreamRows(figures) {
  const result = figures.exportStream;
  if (!result) return [];
  const list = [];
  const yes = (ok) => (ok ? 'pass' : 'MISS');
  for (const s of result.sizes) {
    const n = fmtInt(s.size);
    const target = s.size >= 1_000_000 ? 0.65 : 0.5;
    const how = s.streamedRoute ? 'server has the export stream' : 'server has no export stream: the CLI pages';
    list.push([
      `export csv, ${n} events`,
      `${fmtInt(s.rowsPerSecond)} rows/s (${fmtInt(s.rows)} rows in ${fmt(s.seconds, 2)} s, ${fmt(s.bytesPerRow, 0)} B a row) vs ${fmtInt(s.raw.rowsPerSecond)} rows/s raw = ${fmt(s.ratioToRaw, 2)}×; medians of ${result.runs} in turns; CPU a row: server ${fmt(s.serverCpuMicros)} µs, CLI ${fmt(s.cliCpuMicros)} µs; ${how}; raw: ${s.baseline}`,
      `≥ ${target}× raw`,
      yes(s.ratioToRaw >= target),
    ]);
    list.push([
      `server event-loop gap during export, ${n}`,
      `GET /healthz every ${result.probeEveryMs} ms on its own connection: round trip max ${fmt(s.probe.maxMs)} ms, p99 ${fmt(s.probe.p99Ms)} ms, p50 ${fmt(s.probe.p50Ms, 2)} ms over ${fmtInt(s.probe.samples)} (idle: max ${fmt(s.idleProbe.maxMs)} ms, p99 ${fmt(s.idleProbe.p99Ms)} ms; the bench's own loop meanwhile: max ${fmt(s.probe.benchLoop.maxMs)} ms)${s.probe.errorCount ? `; ${s.probe.errorCount} errors` : ''}`,
      '≤ 20 ms (probe max: an upper bound)',
      yes(s.probe.maxMs <= 20 && s.probe.errorCount === 0),
    ]);
    list.push([
      `list page during export, ${n}`,
      `GET …/audit-logs?per_page=50 every ${result.pageEveryMs} ms: p50 ${fmt(s.page.p50Ms)} ms, p99 ${fmt(s.page.p99Ms)} ms, max ${fmt(s.page.maxMs)} ms over ${s.page.samples}${s.page.errorCount ? `; ${s.page.errorCount} errors` : ''} (that export ${fmtInt(s.probedExport.rowsPerSecond)} rows/s)`,
      '< 50 ms (max)',
      yes(s.page.maxMs < 50 && s.page.errorCount === 0),
    ]);
  }
  const sizes = result.sizes;
  if (sizes.length >= 2) {
    const small = sizes[0];
    const large = sizes.at(-1);
    const at = `${fmtInt(small.size)} → ${fmtInt(large.size)}`;
    const flat = (a, b) => b <= a * 1.25;
    list.push([
      'server peak RSS, flat in size',
      `VmHWM of a fresh audit server start: ${fmt(small.serverPeakRssMb, 0)} MB at ${fmtInt(small.size)}, ${fmt(large.serverPeakRssMb, 0)} MB at ${fmtInt(large.size)} (after start ${fmt(small.serverStartRssMb, 0)} / ${fmt(large.serverStartRssMb, 0)} MB)`,
      `flat (≤ 1.25×, ${at})`,
      yes(flat(small.serverPeakRssMb, large.serverPeakRssMb)),
    ]);
    list.push([
      'CLI peak RSS, flat in size',
      `audit export (max of its runs): ${fmt(small.cliPeakRssMb, 0)} MB at ${fmtInt(small.size)}, ${fmt(large.cliPeakRssMb, 0)} MB at ${fmtInt(large.size)}`,
      `flat (≤ 1.25×, ${at})`,
      yes(flat(small.cliPeakRssMb, large.cliPeakRssMb)),
    ]);
  } else {
    for (const s of sizes)
      list.push([
        `peak RSS, ${fmtInt(s.size)}`,
        `server ${fmt(s.serverPeakRssMb, 0)} MB (after start ${fmt(s.serverStartRssMb, 0)}), CLI ${fmt(s.cliPeakRssMb, 0)} MB`,
        '— (flatness needs two sizes)',
        'info',
      ]);
  }
  return list;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--raw-dump') {
  await rawDump(process.argv[3], process.argv[4]);
}
