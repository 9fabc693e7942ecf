import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/domain/checkpoint.js';
import type { EventInput } from '../../src/domain/event.js';
import { commitmentOf, eventLeafHash, leafFields } from '../../src/domain/merkle/leaf.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { verifyConsistency, verifyInclusion } from '../../src/domain/merkle/verify.js';
import {
  generateNoteKey,
  type NoteVerifier,
  openNote,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/domain/signed-note.js';
import { createTreeSealer, type TreeSealer } from '../../src/server/tree-sealer.js';
import { leavesOf } from '../../src/store/event-leaves.js';
import type { StoredEvent } from '../../src/store/event-rows.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { inMaintenanceWindow } from '../../src/store/pg/maintenance.js';
import type { Engine } from '../../src/store/port.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// The tree sealer on PostgreSQL with several instances (issue 23): every event enters its
// organization's tree once, in position order, whichever instance sealed it; checkpoints are
// signed once per size and verify; an erasure never leaves a leaf committing to what it erased.

const key = generateNoteKey('audit.test');
const signer = parseSignerKey(key.signerKey);
const verifier: NoteVerifier = parseVerifierKey(key.verifierKey);

/** The engine with the leaves each of its writes appended counted: which instance sealed what. */
function counting(engine: PgEngine, count: { leaves: number }): Engine {
  return {
    ...engine,
    write: (work) =>
      engine.write((tx) =>
        work({
          ...tx,
          merkle: {
            ...tx.merkle,
            append: (leaves) => {
              count.leaves += leaves.length;
              return tx.merkle.append(leaves);
            },
          },
        }),
      ),
  };
}

const inputs = (prefix: string, n: number): EventInput[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    action: i % 2 ? 'user.login' : 'document.updated',
    actor: { id: `u${i % 3}`, email: `u${i % 3}@example.com` },
    target: { type: 'document', id: `d${i}` },
  }));

/**
 * Every stored event of the organization is the leaf at its place, committing to the event as
 * it is now; every checkpoint verifies under the signer's key and roots the leaves it covers;
 * inclusion and consistency proofs served from the stored subtrees verify.
 */
async function expectHonestTree(engine: PgEngine, orgId: number): Promise<number> {
  const { merkle, events } = engine.stores;
  const stored = await events.readFrom(orgId, 0, 10_000);
  const size = await merkle.size(orgId);
  const leaves = await merkle.leaves(orgId, 0, size);
  expect(leaves.map((leaf) => leaf.position)).toEqual(stored.map((_, i) => i));
  expect(leaves.map((leaf) => leaf.eventSeq)).toEqual(stored.map((event) => event.seq));
  leaves.forEach((leaf, i) => {
    expect(leaf.hash).toEqual(eventLeafHash(stored[i]?.event as never, leaf.salt as Buffer));
  });
  const truth = inMemorySubtrees(leaves.map((leaf) => leaf.hash));
  const { rows } = await engine.pool.query<{ size: number }>(
    'SELECT tree_size AS size FROM merkle_checkpoints WHERE org_id = $1 ORDER BY tree_size',
    [orgId],
  );
  expect(rows.length).toBeGreaterThan(0);
  let previous: { size: number; root: Buffer } | undefined;
  for (const { size: treeSize } of rows) {
    const checkpoint = await merkle.checkpointOfSize(orgId, treeSize);
    const signed = parseCheckpoint(openNote(checkpoint?.note as string, [verifier]).text);
    expect(signed.size).toBe(treeSize);
    expect(signed.root).toEqual(rootAt(treeSize, truth));
    for (let position = 0; position < treeSize; position++) {
      const proof = await merkle.withSubtrees(orgId, (perfect) =>
        inclusionProof(position, treeSize, perfect),
      );
      expect(verifyInclusion(position, treeSize, leaves[position]?.hash as Buffer, proof, signed.root)).toBe(
        true,
      );
    }
    if (previous) {
      const from = previous;
      const proof = await merkle.withSubtrees(orgId, (perfect) =>
        consistencyProof(from.size, treeSize, perfect),
      );
      expect(verifyConsistency(from.size, treeSize, from.root, signed.root, proof)).toBe(true);
    }
    previous = { size: treeSize, root: signed.root };
  }
  return size;
}

/** One seal by hand, as the sealer's write does it: the events it sealed. */
async function sealNow(engine: Engine): Promise<StoredEvent[]> {
  return engine.write(async (tx) => {
    const events = await tx.sealing.unsealed(100);
    await tx.merkle.append(leavesOf(events));
    return events;
  });
}

/** A tree not started yet (its state row is made by the seal) and one started (its row exists). */
const TREES = [
  ['not started', false],
  ['started', true],
] as const;

/** An organization whose next unsealed event is a person's (after one sealed event if `started`). */
async function subjectOf(
  engine: Engine,
  slug: string,
  started: boolean,
): Promise<{ orgId: number; seq: number }> {
  const orgId = (await engine.stores.directory.ensureOrganization(slug)).organization.id;
  if (started) {
    await engine.stores.recorder.record(orgId, inputs(`before-${slug}`, 1));
    await sealNow(engine);
  }
  await engine.stores.recorder.record(orgId, [
    { id: 'subject', action: 'user.login', actor: { id: 's', email: 'subject@example.com' } },
  ]);
  return { orgId, seq: started ? 2 : 1 };
}

/** Seals with both until no instance is behind: each settle may leave the other's records. */
async function settleAll(sealers: readonly TreeSealer[], engine: PgEngine): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await Promise.all(sealers.map((sealer) => sealer.settle()));
    if ((await engine.stores.sealing.behind()) === 0) return;
  }
  throw new Error('the sealers did not catch up');
}

describePostgres('the tree sealer on PostgreSQL, several instances', () => {
  let database: TestDatabase;
  let first: PgEngine;
  let second: PgEngine;
  const sealers: TreeSealer[] = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    database = await migratedDatabase();
    first = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 4,
      onCommit: () => sealers[0]?.poke(),
    });
    second = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 4,
      onCommit: () => sealers[1]?.poke(),
    });
  }, 60_000);
  afterAll(async () => {
    for (const sealer of sealers) sealer.close();
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it('two instances seal while both ingest: each event is one leaf, in order; checkpoints and proofs verify (threat: a leaf appended twice or skipped breaks honest proofs)', async () => {
    const counts = [{ leaves: 0 }, { leaves: 0 }];
    const engines = [first, second];
    for (const [i, engine] of engines.entries())
      sealers[i] = createTreeSealer(counting(engine, counts[i] as { leaves: number }), signer, {
        pollMs: 5,
        checkpointIntervalMs: 0,
        onError: (error) => errors.push(error),
      });
    const orgIds: number[] = [];
    for (const slug of ['alpha', 'beta', 'gamma'])
      orgIds.push((await first.stores.directory.ensureOrganization(slug)).organization.id);

    // Each instance sends batches of 1 to 9 events to every organization, all at once.
    await Promise.all(
      engines.flatMap((engine, e) =>
        orgIds.map(async (orgId) => {
          for (let batch = 0; batch < 12; batch++) {
            await engine.stores.recorder.record(
              orgId,
              inputs(`${e}-${orgId}-${batch}`, 1 + ((batch * 7 + e) % 9)),
            );
            if (batch % 4 === 3) await sleep(3);
          }
        }),
      ),
    );
    await settleAll(sealers, first);

    expect(errors).toEqual([]);
    // Both instances sealed: the order held across them, not by one doing all the work.
    for (const count of counts) expect(count.leaves).toBeGreaterThan(0);
    let total = 0;
    for (const orgId of orgIds) total += await expectHonestTree(first, orgId);
    expect((counts[0]?.leaves ?? 0) + (counts[1]?.leaves ?? 0)).toBe(total);
    // The tests below seal by hand.
    for (const sealer of sealers) sealer.close();
  }, 120_000);

  it.each(TREES)(
    'an erasure waits for a seal that read its event, tree %s: the erased salt does not survive in the leaf (threat: erased salt kept)',
    async (name, started) => {
      const { orgId, seq } = await subjectOf(first, `erased-during-seal-${name}`, started);
      let erased = false;
      let erasure: Promise<void> | undefined;
      await first.write(async (tx) => {
        const leaves = leavesOf(await tx.sealing.unsealed(100));
        expect(leaves.map((leaf) => [leaf.orgId, leaf.eventSeq])).toContainEqual([orgId, seq]);
        // The erasure starts between the leaf's computation and its append, on another instance.
        erasure = inMaintenanceWindow(second.pool, orgId, async (client) => {
          await client.query(
            "UPDATE events SET actor_email = 'erased@invalid' WHERE org_id = $1 AND seq = $2",
            [orgId, seq],
          );
          erased = true;
        });
        await sleep(300);
        expect(erased).toBe(false);
        await tx.merkle.append(leaves);
      });
      await erasure;
      expect(erased).toBe(true);
      const leaf = await first.stores.merkle.leafOfSeq(orgId, seq);
      expect(leaf?.salt).toBeNull();
    },
    30_000,
  );

  it.each(TREES)(
    'a seal while an erasure is open passes its organization by, tree %s, then seals what the erasure wrote',
    async (name, started) => {
      const { orgId, seq } = await subjectOf(first, `erasing-while-sealed-${name}`, started);
      const other = (await first.stores.directory.ensureOrganization(`sealed-meanwhile-${name}`)).organization
        .id;
      await first.stores.recorder.record(other, inputs(`other-${name}`, 3));
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let rewritten: () => void = () => {};
      const isRewritten = new Promise<void>((resolve) => {
        rewritten = resolve;
      });
      const erasure = inMaintenanceWindow(second.pool, orgId, async (client) => {
        await client.query("UPDATE events SET actor_email = 'erased@invalid' WHERE org_id = $1", [orgId]);
        rewritten();
        await released;
      });
      await isRewritten;
      try {
        const sealed = (await sealNow(first)).map((event) => event.orgId);
        expect(sealed).toContain(other);
        expect(sealed).not.toContain(orgId);
        expect(await first.stores.sealing.behind()).toBe(1);
      } finally {
        release();
        await erasure;
      }
      await sealNow(first);
      const leaf = await first.stores.merkle.leafOfSeq(orgId, seq);
      const event = (await first.stores.events.findBySeq(orgId, seq))?.event;
      expect(event?.actor?.email).toBe('erased@invalid');
      expect(leaf?.commitment).toEqual(commitmentOf(leaf?.salt as Buffer, leafFields(event as never)));
      expect(await first.stores.sealing.behind()).toBe(0);
    },
    30_000,
  );

  it('events purged before they were sealed take no leaf; the tree stays gap-free and nothing stays behind', async () => {
    const orgId = (await first.stores.directory.ensureOrganization('purged-unsealed')).organization.id;
    const old = (i: number) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString();
    const recent = new Date().toISOString();
    // Old, recent, old, recent, old: the purge leaves holes, the last position among them.
    await first.stores.recorder.record(
      orgId,
      [old(1), recent, old(2), recent, old(3)].map((timestamp, i) => ({
        id: `p${i}`,
        action: 'user.login',
        timestamp,
      })),
    );
    const before = await first.stores.sealing.state();
    expect(await first.stores.events.purgeBefore(orgId, Date.UTC(2021, 0, 1))).toBe(3);
    const after = await first.stores.sealing.state();
    expect(after.version).not.toBe(before.version);
    await sealNow(first);
    const leaves = await first.stores.merkle.leaves(orgId, 0, 100);
    expect(leaves.map((leaf) => [leaf.position, leaf.eventSeq])).toEqual([
      [0, 2],
      [1, 4],
    ]);
    // The last position was purged: the next seal finds nothing up to it and passes it.
    expect(await first.stores.sealing.behind()).toBe(1);
    expect(await first.write(async (tx) => tx.sealing.unsealed(100))).toEqual([]);
    expect(await first.stores.sealing.behind()).toBe(0);
    expect((await first.stores.sealing.state()).afterSeq).toBe(after.afterSeq + 5);
  }, 30_000);

  it('unsealed and holdTree lock, so a read refuses them', async () => {
    await expect(first.read((stores) => stores.sealing.unsealed(1))).rejects.toThrow(/read-only/);
    await expect(first.read((stores) => stores.sealing.holdTree(1))).rejects.toThrow(/read-only/);
  });
});
