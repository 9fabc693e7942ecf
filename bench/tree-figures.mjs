// The tamper-evident log's figures for `npm run bench`: ingest with the Merkle tree against
// ingest without it (same harness, same run, in turns), and the costs at 1,000,000 events of an
// inclusion proof and of `audit verify` (online --full, offline FILE).

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('tree-server.mjs', import.meta.url));

/** Starts bench/tree-server.mjs; resolves once it listens (after its fill, if any). */
export function startTreeServer(dbFile, { sealing = true, fill = 0 } = {}) {
  const args = [SERVER, dbFile, '--sealing', sealing ? 'on' : 'off'];
  if (fill > 0) args.push('--fill', String(fill));
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
export async function ingestWithAndWithoutTree({ dir, events, clients, runs, Api, ingestAll, makeEvent, log }) {
  const samples = { on: [], off: [] };
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const side of order) {
      const dbFile = join(dir, `tree-${side}-${run}.db`);
      const server = await startTreeServer(dbFile, { sealing: side === 'on' });
      try {
        const api = new Api(server.url, server.token);
        const started = performance.now();
        const ingested = await ingestAll(api, makeEvent, 0, events, clients);
        const answered = performance.now();
        const { size } = await server.settle();
        const settled = performance.now();
        if (side === 'on' && size < events) throw new Error(`the tree holds ${size} of ${events} events`);
        const seconds = (settled - started) / 1000;
        samples[side].push({ seconds, perSecond: events / seconds, answeredSeconds: (answered - started) / 1000, batches: ingested.batches });
        log(`  ${clients} client(s), tree ${side}: ${Math.round(events / seconds)} events/s (${Math.round(settled - answered)} ms from the last answer to all sealed)`);
      } finally {
        await server.stop();
        for (const suffix of ['', '-wal', '-shm', '.log-key']) rmSync(`${dbFile}${suffix}`, { force: true });
      }
    }
  }
  const middle = (list) => [...list].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(list.length / 2)];
  const on = middle(samples.on);
  const off = middle(samples.off);
  return { events, clients, runs, on, off, ratio: on.perSecond / off.perSecond, samples };
}
