import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { commitmentOf, eventLeafHash, leafFields } from '../../src/domain/merkle/leaf.js';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { buildApp } from '../../src/server/app.js';
import { bootstrapIfEmpty } from '../../src/server/bootstrap.js';
import { type LeafWorker, startLeafWorker } from '../../src/server/leaf-worker.js';
import { createTreeSealer } from '../../src/server/tree-sealer.js';
import { openDatabase } from '../../src/store/database.js';
import { inMaintenanceWindow } from '../../src/store/transaction.js';
import { tempDir } from '../helpers/temp-dir.js';

// The build's worker (npm test builds first), as `audit server start` runs it.
const WORKER = new URL('../../dist/server/seal-worker.js', import.meta.url);

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A server's stores on a database file, and a sealer whose leaves a worker thread computes. */
async function setUp(meddle?: (db: Database.Database, seqs: number[]) => void) {
  const file = `${tempDir('seal-worker')}/audit.db`;
  const db = openDatabase(file);
  const app = await buildApp({ db, treeSealing: false });
  closers.push(() => app.close());
  await bootstrapIfEmpty(app.services.engine);
  const worker = startLeafWorker(file, WORKER) as LeafWorker;
  expect(worker, 'the build has the worker').toBeDefined();
  // Between the worker's read and the sealer's write, `meddle` changes what the worker read.
  await expect.poll(() => worker.ready).toBe(true);
  const meddling: LeafWorker = {
    get ready() {
      return worker.ready;
    },
    async leaves(afterSeq, limit) {
      const leaves = await worker.leaves(afterSeq, limit);
      if (leaves.length > 0)
        meddle?.(
          db,
          leaves.map((leaf) => leaf.eventSeq),
        );
      return leaves;
    },
    close: () => worker.close(),
  };
  const sealer = createTreeSealer(app.services.engine, app.services.logKey, { leafWorker: meddling });
  closers.push(() => sealer.close());
  const org = app.services.sqlite.directory.findOrganization('default');
  if (!org) throw new Error('no default organization');
  return { app, db, file, sealer, orgId: org.id };
}

const logins = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    action: 'user.login',
    actor: { email: `u${from + i}@example.com` },
    description: `login ${from + i}`,
  }));

/** Every leaf recomputed from its event as stored now, under its salt; and the checkpoint's root. */
function expectLeavesOfStoredEvents(setup: Awaited<ReturnType<typeof setUp>>) {
  const { merkle, events } = setup.app.services.sqlite;
  const size = merkle.size(setup.orgId);
  const leaves = merkle.leaves(setup.orgId, 0, size);
  const seqs = leaves.map((leaf) => leaf.eventSeq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  const hashes = leaves.map((leaf) => {
    const stored = events.findBySeq(leaf.eventSeq);
    if (!stored || !leaf.salt) throw new Error(`leaf ${leaf.position} lost its event or salt`);
    expect(leaf.commitment, `leaf ${leaf.position}`).toEqual(
      commitmentOf(leaf.salt, leafFields(stored.event)),
    );
    return eventLeafHash(stored.event, leaf.salt);
  });
  expect(hashes).toEqual(leaves.map((leaf) => leaf.hash));
  const checkpoint = merkle.latestCheckpoint(setup.orgId);
  expect(checkpoint?.root).toEqual(rootAt(checkpoint?.treeSize ?? 0, inMemorySubtrees(hashes)));
  return size;
}

const rewrite = (db: Database.Database, seq: number) =>
  db.prepare("UPDATE events SET description = 'rewritten', actor_email = NULL WHERE seq = ?").run(seq);

describe('the tree sealer with its worker thread', () => {
  it('seals every event in the order stored, batch after batch, as the sealer alone would', async () => {
    const setup = await setUp();
    for (let n = 0; n < 5; n++)
      setup.app.services.sqlite.recorder.record(setup.orgId, logins(n * 1000, 1000));
    await setup.sealer.settle({ signNow: true });
    expect(expectLeavesOfStoredEvents(setup)).toBeGreaterThan(5000);
  });

  it('never stores leaves of events that an erasure here rewrote while the worker computed them', async () => {
    let rewritten = 0;
    const setup = await setUp((db, seqs) => {
      if (rewritten++ === 0) inMaintenanceWindow(db, () => rewrite(db, seqs[0] as number));
    });
    setup.app.services.sqlite.recorder.record(setup.orgId, logins(0, 50));
    await setup.sealer.settle({ signNow: true });
    expect(rewritten).toBeGreaterThan(0);
    expectLeavesOfStoredEvents(setup);
  });

  it('never stores leaves of events that another process rewrote while the worker computed them', async () => {
    let rewritten = 0;
    const setup = await setUp((_db, seqs) => {
      if (rewritten++ > 0) return;
      const other = openDatabase(setup.file);
      try {
        inMaintenanceWindow(other, () => rewrite(other, seqs[0] as number));
      } finally {
        other.close();
      }
    });
    setup.app.services.sqlite.recorder.record(setup.orgId, logins(0, 50));
    await setup.sealer.settle({ signNow: true });
    expect(rewritten).toBeGreaterThan(0);
    expectLeavesOfStoredEvents(setup);
  });
});
