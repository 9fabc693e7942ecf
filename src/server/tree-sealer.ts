import { formatCheckpoint } from '../domain/checkpoint.js';
import { CHECKPOINT_SIGNED } from '../domain/checkpoint-record.js';
import { rootAt } from '../domain/merkle/proofs.js';
import { type NoteSigner, signNote } from '../domain/signed-note.js';
import { leavesOf } from '../store/event-leaves.js';
import type { NewLeaf } from '../store/merkle-store.js';
import type { Engine, WriteScope } from '../store/port.js';
import type { LeafWorker } from './leaf-worker.js';
import { SYSTEM_ACTOR } from './server-actor.js';

/** The default time between two checkpoints of one organization while its log grows. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

/** Events sealed per write transaction. */
const SEAL_BATCH = 2000;

export interface TreeSealerOptions {
  /** The least time between two checkpoints of one organization (default 60 s). */
  checkpointIntervalMs?: number | undefined;
  /** How often the sealer looks for events other processes stored (default 1 s). */
  pollMs?: number | undefined;
  onError?: (error: unknown) => void;
  /** The time checkpoints are signed at (default Date.now). */
  now?: () => number;
  /**
   * Computes leaves off the event loop (leaf-worker.ts), of the events after a position of the
   * engine's sealing order; stored only while the engine's sealing state is as it was asked at.
   * SQLite only (the worker reads the database file): on PostgreSQL the sealer runs without one
   * and computes leaves inside its write, under its organizations' locks (store/pg/sealing.ts).
   */
  leafWorker?: LeafWorker | undefined;
  /** The engine's ingest seals the events it stores (store/event-leaves.ts): the sealer seals only a backlog. */
  ingestSeals?: boolean | undefined;
}

/**
 * Adds stored events to their organization's Merkle tree after they commit, and signs
 * checkpoints of the trees that grew. Ingest never waits for it: a commit only pokes it.
 *
 * A tree grows by one leaf per event, in the order events were stored (events.seq), so every
 * process that stores events (the server, an admin command) is sealed in one order. On SQLite the
 * server's ingest seals its own events as it stores them (store/event-leaves.ts) and tells
 * `grew`; the sealer seals what others stored (a backlog) and signs. On
 * PostgreSQL several instances seal at once, each the organizations it locked (SealingPort). A
 * checkpoint is signed when the tree holds an event that no checkpoint covers yet, at most once
 * per interval per organization; the first one at once. Its record, an event itself, does not
 * call for another checkpoint on its own (it would never stop), and is covered by the next.
 */
export function createTreeSealer(engine: Engine, signer: NoteSigner, options: TreeSealerOptions = {}) {
  const now = options.now ?? Date.now;
  const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  const onError = options.onError ?? (() => {});
  let leafWorker = options.leafWorker;
  const signTimers = new Map<number, NodeJS.Timeout>();
  // Organizations whose tree grew outside the sealer (ingest sealed them): signed on its next run.
  const grownElsewhere = new Set<number>();
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  // A look through the port waits for a write in progress; a poll still looking is not repeated.
  let polling = false;
  const pollTimer = setInterval(() => {
    if (polling || closed) return;
    polling = true;
    engine.stores.sealing
      .behind()
      .then((behind) => {
        if (behind > 0) poke();
      })
      .catch(onError)
      .finally(() => {
        polling = false;
      });
  }, options.pollMs ?? 1000);
  pollTimer.unref();

  function poke(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    // On the next turn of the event loop, not inside the commit that poked: the ingest answer
    // waiting on that commit goes out first, and the client sends its next batch while this seals.
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (closed ? undefined : sealAndSign()))
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          poke();
        }
      });
  }

  async function sealAndSign(): Promise<void> {
    const grown = new Set(grownElsewhere);
    grownElsewhere.clear();
    // Where ingest seals its own events, a poke mostly finds nothing behind: no write for it.
    const backlog = !options.ingestSeals || (await engine.stores.sealing.behind()) > 0;
    while (backlog) {
      const sealed = await sealNext(grown);
      if (sealed < SEAL_BATCH) break;
      // A backlog (a log that predates the tree) is sealed a batch at a time, the event loop free
      // between batches: requests are served meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const orgId of grown) await signIfDue(orgId);
  }

  /**
   * Seals the next batch. With a worker, its leaves are computed while requests are served and
   * stored only if, by the time the write lock is held, nothing was sealed since and no event
   * can have been rewritten or deleted (an erasure, a purge, another process's write): a leaf
   * must commit to what its event is, and an erased event's salt must not survive.
   */
  async function sealNext(grown: Set<number>): Promise<number> {
    // Until the worker has started (a server's first seal, at start-up) the sealer does not wait for it.
    const ahead = leafWorker?.ready ? leafWorker : undefined;
    if (!ahead)
      return engine.write(async (tx) =>
        sealBatch(tx, grown, leavesOf(await tx.sealing.unsealed(SEAL_BATCH))),
      );
    const asked = await engine.stores.sealing.state();
    let leaves: NewLeaf[] | undefined;
    try {
      leaves = await ahead.leaves(asked.afterSeq, SEAL_BATCH);
    } catch (error) {
      if (closed) return 0;
      // The worker is gone: the sealer carries on without it.
      leafWorker = undefined;
      onError(error);
    }
    return engine.write(async (tx) => {
      const state = await tx.sealing.state();
      const current = state.afterSeq === asked.afterSeq && state.version === asked.version;
      return sealBatch(
        tx,
        grown,
        leaves && current ? leaves : leavesOf(await tx.sealing.unsealed(SEAL_BATCH)),
      );
    });
  }

  /** Stores the leaves of the next unsealed events; notes the organizations whose tree grew. */
  async function sealBatch(tx: WriteScope, grown: Set<number>, leaves: readonly NewLeaf[]): Promise<number> {
    for (const leaf of leaves) grown.add(leaf.orgId);
    await tx.merkle.append(leaves);
    return leaves.length;
  }

  async function signIfDue(orgId: number): Promise<void> {
    if (closed || signTimers.has(orgId)) return;
    const latest = await engine.stores.merkle.latestCheckpoint(orgId);
    const wait = latest ? latest.signedAt + intervalMs - now() : 0;
    if (wait > 0) {
      const timer = setTimeout(() => {
        signTimers.delete(orgId);
        signIfDue(orgId).catch(onError);
      }, wait);
      timer.unref();
      signTimers.set(orgId, timer);
      return;
    }
    await engine.write((tx) => signCheckpoint(tx, orgId));
  }

  /** Signs the tree as it is now, if it holds an event no checkpoint covers (see above). */
  async function signCheckpoint(tx: WriteScope, orgId: number): Promise<void> {
    const { merkle } = tx;
    const organization = await tx.directory.organizationById(orgId);
    if (!organization) return;
    // Another process's signer waits here, then finds this checkpoint covering the tree.
    await tx.sealing.holdTree(orgId);
    const size = await merkle.size(orgId);
    const latest = await merkle.latestCheckpoint(orgId);
    const covered = latest?.treeSize ?? 0;
    if (size <= covered) return;
    if (size === covered + 1 && latest && (await onlyOwnRecordSince(tx, orgId, size - 1))) return;
    const root = await merkle.withSubtrees(orgId, (perfect) => rootAt(size, perfect));
    const signedAt = now();
    const origin = logOrigin(signer, organization.slug);
    const note = signNote(
      formatCheckpoint({ origin, size, root, extensions: [`time ${new Date(signedAt).toISOString()}`] }),
      signer,
    );
    await merkle.addCheckpoint(orgId, { treeSize: size, root, signedAt, note });
    await tx.recorder.record(orgId, [
      {
        action: CHECKPOINT_SIGNED,
        actor: SYSTEM_ACTOR,
        metadata: { origin, tree_size: size, root: root.toString('base64'), checkpoint: note },
      },
    ]);
  }

  /** Whether the leaf at `position` is the record of the checkpoint before it. */
  async function onlyOwnRecordSince(tx: WriteScope, orgId: number, position: number): Promise<boolean> {
    const [leaf] = await tx.merkle.leaves(orgId, position, position + 1);
    if (leaf === undefined) return false;
    return (await tx.events.findBySeq(orgId, leaf.eventSeq))?.event.action === CHECKPOINT_SIGNED;
  }

  return {
    poke,
    /**
     * Told that the organization's tree grew without the sealer (ingest sealed events in its own
     * transaction): its checkpoint is signed when due, after the poke that follows the commit.
     */
    grew(orgId: number): void {
      grownElsewhere.add(orgId);
    },
    /**
     * Seals what is stored and signs what is due; resolves when done (tests, start-up). With
     * `signNow` (start-up) every tree that grew is signed now, whatever the interval: the first
     * `audit verify` after a start covers everything stored before it.
     */
    async settle(options: { signNow?: boolean } = {}): Promise<void> {
      poke();
      while (running) await running;
      for (const { id } of await engine.stores.directory.listOrganizations()) {
        if (!options.signNow) await signIfDue(id);
        else if (!closed) {
          clearTimeout(signTimers.get(id));
          signTimers.delete(id);
          await engine.write((tx) => signCheckpoint(tx, id));
        }
      }
    },
    close(): void {
      closed = true;
      leafWorker?.close();
      clearInterval(pollTimer);
      for (const timer of signTimers.values()) clearTimeout(timer);
      signTimers.clear();
    },
  };
}

export type TreeSealer = ReturnType<typeof createTreeSealer>;

/** The origin line of an organization's checkpoints: the key's name, then the organization. */
export function logOrigin(signer: Pick<NoteSigner, 'name'>, orgSlug: string): string {
  return `${signer.name}/${orgSlug}`;
}
