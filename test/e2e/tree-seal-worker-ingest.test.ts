import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { bootstrapIfEmpty } from '../../src/server/bootstrap.js';
import { type LeafWorker, startLeafWorker } from '../../src/server/leaf-worker.js';
import { createTreeSealer } from '../../src/server/tree-sealer.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { tempDir } from '../helpers/temp-dir.js';

// The build's worker (npm test builds first), as `audit server start` runs it.
const WORKER = new URL('../../dist/server/seal-worker.js', import.meta.url);

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const logins = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ action: 'user.login', description: `login ${from + i}` }));

describe("the sealer's worker beside ingest that seals in its own transaction", () => {
  it("threat: ingest seals events after the sealer asked its worker for them — the worker's leaves are dropped, no event is sealed twice", async () => {
    const file = `${tempDir('seal-worker-ingest')}/audit.db`;
    const db = openDatabase(file);
    // The server's own sealer is a second one here; this test drives the one below.
    const app = await buildApp({ db, checkpointIntervalMs: 1 });
    closers.push(() => app.close());
    await bootstrapIfEmpty(app.services.engine);
    await app.services.sealer.settle();
    const orgId = app.services.sqlite.directory.ensureOrganization('default').organization.id;
    const worker = startLeafWorker(file, WORKER) as LeafWorker;
    expect(worker, 'the build has the worker').toBeDefined();
    // A worker thread starts in well under a second, but a loaded CI machine took longer (node 24).
    await expect.poll(() => worker.ready, { timeout: 10_000 }).toBe(true);
    let meddled = 0;
    // A leaf stored twice would fail the sealer's write (event_seq is UNIQUE), not show as a row.
    const errors: unknown[] = [];
    // After the sealer read the sealing state and before its worker reads the events: the backlog
    // is sealed elsewhere, and then ingest seals its own batch at once.
    const meddling: LeafWorker = {
      get ready() {
        return worker.ready;
      },
      async leaves(afterSeq, limit) {
        if (meddled++ === 0) {
          await app.services.sealer.settle();
          app.services.sqlite.recorder.record(orgId, logins(100, 3));
          expect(app.services.sqlite.merkle.sealedSeq()).toBe(app.services.sqlite.events.maxSeq());
        }
        return worker.leaves(afterSeq, limit);
      },
      close: () => worker.close(),
    };
    const sealer = createTreeSealer(app.services.engine, app.services.logKey, {
      leafWorker: meddling,
      ingestSeals: true,
      onError: (error) => errors.push(error),
    });
    closers.push(() => sealer.close());
    // A backlog of another process (an admin command's connection, which never seals).
    const admin = createStores(openDatabase(file));
    closers.push(() => {
      admin.db.close();
    });
    admin.recorder.record(orgId, logins(0, 5));
    await sealer.settle();
    expect(meddled).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    const duplicates = db
      .prepare('SELECT event_seq FROM merkle_leaves GROUP BY event_seq HAVING count(*) > 1')
      .all();
    expect(duplicates).toEqual([]);
    const unsealed = db
      .prepare('SELECT count(*) FROM events WHERE seq NOT IN (SELECT event_seq FROM merkle_leaves)')
      .pluck()
      .get();
    expect(unsealed).toBe(0);
    const seqs = app.services.sqlite.merkle
      .leaves(orgId, 0, app.services.sqlite.merkle.size(orgId))
      .map((leaf) => leaf.eventSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
