// The tamper-evident log's figures for `npm run bench`: ingest with the Merkle tree against
// ingest without it (same harness, same run, in turns), and the costs at 1,000,000 events of an
// inclusion proof and of `audit verify` (online --full, offline FILE).

import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('tree-server.mjs', import.meta.url));

/**
 * Starts bench/tree-server.mjs; resolves once it listens (after its fill, if any). `nodeArgs`
 * go to node (e.g. ['--cpu-prof'] to profile the server); `events: 'review'` fills with the
 * security review's mix.
 */
export function startTreeServer(
  dbFile,
  { sealing = true, rollup = true, fill = 0, fillDays, configDir, nodeArgs = [], events } = {},
) {
  const args = [...nodeArgs, SERVER, dbFile, '--sealing', sealing ? 'on' : 'off', '--rollup', rollup ? 'on' : 'off'];
  if (fill > 0) args.push('--fill', String(fill));
  if (fillDays !== undefined) args.push('--fill-days', String(fillDays));
  if (events) args.push('--events', events);
  if (configDir) args.push('--config-dir', configDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type === 'error') reject(new Error(`tree server: ${message.message}`));
        else if (message.type === type) resolve(message);
        else return;
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onExit = (code) => reject(new Error(`tree server exited with ${code}: ${stderr}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next('ready').then((ready) => ({
    url: ready.url,
    token: ready.token,
    filled: ready.filled,
    cpu: ready.cpu,
    settle: () => {
      const answer = next('settled');
      child.send({ type: 'settle' });
      return answer;
    },
    inclusion: (samples) => {
      const answer = next('inclusion');
      child.send({ type: 'inclusion', samples });
      return answer;
    },
    stop: () => {
      child.send({ type: 'stop' });
      return exited;
    },
  }));
}

/**
 * Ingest with the tree on and off, `runs` times each in turns (off/on, on/off, …), each into a
 * fresh database: `events` events by `clients` clients. A run with the tree ends when the last
 * batch is answered AND every event is sealed (the sealer runs on the server's event loop after
 * the commits, so its work counts); the run without it ends the same way (its settle is empty).
 */
export async function ingestWithAndWithoutTree({
  dir,
  events,
  clients,
  runs,
  Api,
  ingestAll,
  makeEvent,
  log,
  what = 'tree',
  serverOptions = (side) => ({ sealing: side === 'on' }),
}) {
  const samples = { on: [], off: [] };
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const side of order) {
      const dbFile = join(dir, `${what}-${side}-${run}.db`);
      const options = serverOptions(side);
      const server = await startTreeServer(dbFile, options);
      try {
        const api = new Api(server.url, server.token);
        const started = performance.now();
        const ingested = await ingestAll(api, makeEvent, 0, events, clients);
        const answered = performance.now();
        const { size, cpu } = await server.settle();
        const settled = performance.now();
        if (options.sealing !== false && size < events) throw new Error(`the tree holds ${size} of ${events} events`);
        const seconds = (settled - started) / 1000;
        samples[side].push({
          seconds,
          perSecond: events / seconds,
          answeredSeconds: (answered - started) / 1000,
          batches: ingested.batches,
          // The server's own CPU an event (start-up excluded): steadier than the rate on a busy machine.
          serverCpuMicros: (cpu - server.cpu) / events,
        });
        log(`  ${clients} client(s), ${what} ${side}: ${Math.round(events / seconds)} events/s, server CPU ${((cpu - server.cpu) / events).toFixed(0)} µs an event (${Math.round(settled - answered)} ms from the last answer to all sealed)`);
      } finally {
        await server.stop();
        for (const suffix of ['', '-wal', '-shm', '.log-key']) rmSync(`${dbFile}${suffix}`, { force: true });
      }
    }
  }
  const middle = (list) => [...list].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(list.length / 2)];
  const on = middle(samples.on);
  const off = middle(samples.off);
  const cpu = (list) => [...list.map((sample) => sample.serverCpuMicros)].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const cpuOn = cpu(samples.on);
  const cpuOff = cpu(samples.off);
  return { events, clients, runs, on, off, ratio: on.perSecond / off.perSecond, cpuOn, cpuOff, samples };
}

const DAY = 86_400_000;
const MEASURED_RUNS = 3;

/**
 * A database of `events` events, all sealed, with a checkpoint (bench/tree-server.mjs --fill),
 * then: the server time of inclusion proofs, `audit verify --full`, and `audit verify FILE` of
 * an NDJSON export with its proof. A command this build does not have is reported as such.
 */
export async function millionFigures({ dir, events, treeDb, env, configDir, runCli, serverTime, log }) {
  const dbFile = treeDb ?? join(dir, 'tree-million.db');
  const reuse = existsSync(dbFile);
  log(
    reuse
      ? `tree: the database of an earlier run, ${dbFile}`
      : `tree: filling a database with ${events.toLocaleString('en-US')} events through the store, then sealing them`,
  );
  const server = await startTreeServer(dbFile, { fill: reuse ? 0 : events, configDir });
  const figures = { events, fill: server.filled, reused: reuse ? dbFile : undefined };
  try {
    if (server.filled)
      log(`  recorded in ${server.filled.recordSeconds.toFixed(1)} s, sealed in ${server.filled.sealSeconds.toFixed(1)} s`);
    figures.inclusion = await inclusionFigures(server, serverTime);
    log(`  inclusion proof: p50 ${figures.inclusion.p50Ms.toFixed(2)} ms (${figures.inclusion.source})`);
    // Every leaf is an event to check (the fill's, the owner's, the checkpoint records).
    figures.events = figures.inclusion.treeSize;
    const count = figures.events;
    figures.verifyFull = await commandFigures('audit verify --full', ['verify', '--full'], { env, runCli, events: count }, log);
    figures.verifyFile = await verifyFileFigures({ dir, env, runCli, events: count, log });
  } finally {
    await server.stop();
  }
  return figures;
}

/** Whether this build has the command and flags (its --help names them), e.g. ['verify']. */
async function hasCommand(runCli, env, words, flags = []) {
  const help = await runCli([...words, '--help'], env);
  const usage = new RegExp(`^Usage: audit ${words.join(' ')}\\b`, 'm');
  return help.code === 0 && usage.test(help.stdout) && flags.every((flag) => help.stdout.includes(flag));
}

/** The inclusion route's own time (Server-Timing) if the server has it, else the store's cost. */
async function inclusionFigures(server, serverTime) {
  const samples = 200;
  const atStore = await server.inclusion(samples);
  const openapi = await (await fetch(`${server.url}/openapi.json`)).json();
  const route = Object.keys(openapi.paths ?? {}).find((path) => path.endsWith('/tree/inclusion'));
  if (!route) {
    const times = atStore.times;
    return { source: 'store, no HTTP (this build has no inclusion route)', ...percentiles(times), treeSize: atStore.treeSize, hashes: atStore.hashes, samples };
  }
  const base = `${server.url}/api/v1/organizations/default/audit-logs/tree/inclusion`;
  const headers = { authorization: `Bearer ${server.token}`, accept: 'application/json' };
  const times = [];
  const roundTrips = [];
  let hashes = 0;
  for (const id of atStore.ids) {
    const started = performance.now();
    const response = await fetch(`${base}?${new URLSearchParams({ event_id: id })}`, { headers });
    const body = await response.json();
    roundTrips.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`inclusion answered ${response.status}: ${JSON.stringify(body)}`);
    times.push(serverTime(response));
    hashes = body.data.hashes.length;
  }
  return {
    source: 'GET …/tree/inclusion, Server-Timing',
    ...percentiles(times),
    roundTripP50Ms: percentiles(roundTrips).p50Ms,
    storeP50Ms: percentiles(atStore.times).p50Ms,
    treeSize: atStore.treeSize,
    hashes,
    samples: times.length,
  };
}

function percentiles(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { p50Ms: at(50), p99Ms: at(99) };
}

/** Runs a command MEASURED_RUNS times: the median's events per second, or why it could not. */
async function commandFigures(name, args, { env, runCli, events }, log) {
  if (!(await hasCommand(runCli, env, [args[0]], args.filter((arg) => arg.startsWith('--'))))) {
    log(`  ${name}: command not available in this build`);
    return { name, available: false };
  }
  const runs = [];
  for (let i = 0; i < MEASURED_RUNS; i++) {
    const run = await runCli(args, env);
    if (run.code !== 0) {
      log(`  ${name} exited ${run.code}: ${run.stderr.trim().split('\n')[0]}`);
      return { name, available: true, failed: { code: run.code, stderr: run.stderr.slice(0, 2000), stdout: run.stdout.slice(0, 2000) } };
    }
    runs.push({ seconds: run.seconds, peakRssMb: run.peakRssMb, stdout: run.stdout.slice(0, 2000) });
    // A run of more than a minute is far from any target: one is figure enough, and the bench ends.
    if (run.seconds > 60) break;
  }
  const seconds = [...runs.map((run) => run.seconds)].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  log(`  ${name}: ${Math.round(events / seconds)} events/s (median of ${runs.length} run(s))`);
  return { name, available: true, events, seconds, perSecond: events / seconds, peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)), runs };
}

/** `audit export --format ndjson --proof` of every event, then `audit verify FILE` of it. */
async function verifyFileFigures({ dir, env, runCli, events, log }) {
  const name = 'audit verify FILE (NDJSON)';
  const ready = (await hasCommand(runCli, env, ['verify'])) && (await hasCommand(runCli, env, ['export'], ['--proof']));
  if (!ready) {
    log(`  ${name}: command not available in this build`);
    return { name, available: false };
  }
  const file = join(dir, 'tree-million.ndjson');
  const from = new Date(Date.now() - 370 * DAY).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
  const exported = await runCli(
    ['export', '--format', 'ndjson', '--proof', '--from', from, '--to', to, '--utc', '--no-input', '-o', file],
    env,
  );
  if (exported.code !== 0) {
    log(`  ${name}: the export with --proof exited ${exported.code}: ${exported.stderr.trim().split('\n')[0]}`);
    return { name, available: false, exportFailed: { code: exported.code, stderr: exported.stderr.slice(0, 2000) } };
  }
  const figures = await commandFigures(name, ['verify', file], { env, runCli, events }, log);
  return { ...figures, exportSeconds: exported.seconds };
}
