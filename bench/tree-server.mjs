#!/usr/bin/env node
// A server for the tree figures of `npm run bench`, started by bench/tree-figures.mjs with an IPC
// channel. It is `audit server start` (same database settings, same app) with what the bench
// needs and the CLI does not offer:
//
//   --sealing off   the Merkle tree switched off (AppOptions.treeSealing = false): the baseline
//                   that ingest with the tree is compared to, in the same run.
//   --config-dir D  saves the owner's token in profile "default" there, as a first start does.
//   --events review the fill's events: the security review's mix (default: bench/events.mjs eventSource).
//   --fill N        records N bench events (bench/events.mjs) straight through the store before
//                   listening, 1,000 per transaction as an ingest batch is, then seals them and
//                   signs a checkpoint: a database of 1,000,000 events in minutes, not HTTP's hour.
//   --fill-days D   the filled events span the D days (default 365) before now.
//   --rollup off    ingest leaves event_counts (migration 3) alone (AppOptions.eventCounts = false):
//                   the baseline that ingest with it is compared to. Stats then miscount; bench only.
//
// Messages from the parent: {type:'settle'} → {type:'settled', size, cpu} once every stored event is
// in the tree and what is due is signed (`sealer.settle()`); {type:'inclusion', samples} → the
// store-level cost of an inclusion proof (until the HTTP route exists).

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { eventSource, reviewEventSource } from './events.mjs';

const DIST = join(fileURLToPath(new URL('..', import.meta.url)), 'dist');
const { openDatabase } = await import(join(DIST, 'store', 'database.js'));
const { buildApp } = await import(join(DIST, 'server', 'app.js'));
const { bootstrapIfEmpty } = await import(join(DIST, 'server', 'bootstrap.js'));
const { inclusionProof } = await import(join(DIST, 'domain', 'merkle', 'proofs.js'));
const { openProfileStore } = await import(join(DIST, 'config', 'profile-store.js'));
const { createAdmin } = await import(join(DIST, 'server', 'admin.js'));
const { SYSTEM_ACTOR } = await import(join(DIST, 'server', 'server-actor.js'));

const args = process.argv.slice(2);
const dbFile = args[0];
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const sealing = option('--sealing') !== 'off';
const fill = Number(option('--fill') ?? 0);
const configDir = option('--config-dir');
// --events review: the security review's mix over 100 days (bench/events.mjs reviewEventSource).
const source = option('--events') === 'review' ? reviewEventSource : eventSource;
const fillDays = option('--fill-days');
const rollup = option('--rollup') !== 'off';

const db = openDatabase(dbFile);
const app = await buildApp({
  db,
  rateLimitPerMinute: 1_000_000,
  treeSealing: sealing,
  eventCounts: rollup,
  maxStreamsPerToken: 100,
});
const services = app.services;
// The synchronous SQLite stores (the fill and the inclusion figure read through them).
const stores = services.sqlite;
const bootstrap = (await bootstrapIfEmpty(services.engine)) ?? (await benchOwner());
const org = stores.directory.findOrganization('default');

const filled = fill > 0 ? await fillDatabase(fill) : undefined;
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();
const url = `http://127.0.0.1:${port}`;
if (configDir)
  openProfileStore(configDir).saveActive('default', { server: url, org: bootstrap.organization, token: bootstrap.token });
process.send({ type: 'ready', url, token: bootstrap?.token, filled, cpu: cpuMicros() });

process.on('message', async (message) => {
  try {
    if (message.type === 'settle') {
      await services.sealer.settle();
      process.send({ type: 'settled', size: stores.merkle.size(org.id), cpu: cpuMicros() });
    } else if (message.type === 'inclusion') {
      process.send({ type: 'inclusion', ...inclusionAtStore(message.samples) });
    } else if (message.type === 'stop') {
      await app.close();
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: 'error', message: error instanceof Error ? error.stack : String(error) });
  }
});

/** A database filled by an earlier run (bench --tree-db): a new owner and token for this one. */
async function benchOwner() {
  const admin = createAdmin(services.engine, SYSTEM_ACTOR);
  const ownerEmail = `bench-${Date.now()}@localhost`;
  await admin.addUser('default', { email: ownerEmail, name: 'bench', role: 'owner' });
  const { token } = await admin.createToken('default', ownerEmail, 'read', 'bench');
  return { organization: 'default', ownerEmail, token };
}

/** The CPU time this process has used, user and system, in microseconds. */
function cpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Records `count` events 1,000 per transaction, then seals them: the times of both. */
async function fillDatabase(count) {
  const makeEvent =
    fillDays === undefined
      ? source(count, Date.now() - 86_400_000)
      : source(count, Date.now() - 60_000, Number(fillDays));
  const started = performance.now();
  for (let start = 0; start < count; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) batch.push(makeEvent(i));
    stores.recorder.record(org.id, batch);
  }
  const recorded = performance.now();
  await services.sealer.settle();
  const sealed = performance.now();
  return {
    events: count,
    recordSeconds: (recorded - started) / 1000,
    sealSeconds: (sealed - recorded) / 1000,
    treeSize: stores.merkle.size(org.id),
  };
}

/**
 * An inclusion proof as the route makes it, minus HTTP: the event by id, its leaf, the path to
 * the latest checkpoint's root. Milliseconds per proof, at positions spread over the tree.
 */
function inclusionAtStore(samples) {
  const checkpoint = stores.merkle.latestCheckpoint(org.id);
  const size = checkpoint.treeSize;
  const times = [];
  const ids = [];
  let hashes = 0;
  for (let i = 0; i < samples; i++) {
    const position = Math.floor(((i + 0.5) * size) / samples);
    const [leaf] = stores.merkle.leaves(org.id, position, position + 1);
    ids.push(leaf.eventId);
    const started = performance.now();
    const stored = stores.events.findById(org.id, leaf.eventId);
    const found = stores.merkle.leafOfSeq(stored.seq);
    const path = inclusionProof(found.position, size, stores.merkle.subtrees(org.id));
    times.push(performance.now() - started);
    hashes = path.length;
  }
  return { treeSize: size, times, hashes, ids };
}
