import type { NoteSigner } from '../domain/signed-note.js';
import type { Db } from '../store/database.js';
import { leavesOfInserted } from '../store/event-leaves.js';
import { openLogKey } from '../store/log-key-file.js';
import type { Engine } from '../store/port.js';
import { createQuietCheckpointer } from '../store/quiet-checkpoint.js';
import type { SharedServerDatabase } from '../store/server-database.js';
import { createSqliteEngine } from '../store/sqlite-engine.js';
import { createServerStores, type ServedStores } from '../store/sqlite-server-stores.js';
import { createStores } from '../store/stores.js';
import { createWriteGate } from '../store/write-gate.js';
import { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from '../webhooks/worker.js';
import { createAuthFailureAuditor } from './auth-failure-auditor.js';
import { createFollowerHub, type FollowerHub } from './follower-hub.js';
import { type LeafWorker, lazyLeafWorker, startLeafWorker } from './leaf-worker.js';
import { createCursorCodec } from './page-cursor.js';
import { createSseFrames } from './sse-frames.js';
import { createPositionCodec } from './stream-position.js';
import {
  changesAccess,
  createStreamRegistry,
  DEFAULT_STREAM_LIMITS,
  type StreamLimits,
} from './stream-registry.js';
import { createTreeSealer, type TreeSealer } from './tree-sealer.js';

export interface ServerServiceOptions {
  now?: () => number;
  followerPollMs?: number;
  /** How long after the last commit the WAL is checkpointed (default 1000 ms). */
  quietCheckpointMs?: number;
  /** Caps on live streams and how often their access is re-checked. */
  streams?: { [K in keyof StreamLimits]?: StreamLimits[K] | undefined };
  /** Told of failures in the background (a write that found the database locked too long). */
  onError?: (error: unknown) => void;
  /** The webhook delivery worker's retry schedule and timeout (tests shorten them). */
  webhooks?: Omit<WebhookWorkerOptions, 'now'>;
  /** The least time between two signed checkpoints of one organization (default 60 s). */
  checkpointIntervalMs?: number | undefined;
  /** The checkpoint signing key; default: the key file beside the database (made if missing). */
  logKey?: NoteSigner;
  /**
   * false: events are never added to the Merkle tree nor checkpoints signed. Bench baseline only
   * (`npm run bench` measures ingest with and without the tree); no flag or variable sets it.
   */
  treeSealing?: boolean;
  /** false: ingest leaves event_counts alone. Bench baseline only; no flag or variable sets it. */
  eventCounts?: boolean;
}

/**
 * Everything a running server holds: the stores plus live followers, the auth-failure log and
 * the webhook worker. A commit pokes the hub, the worker and the quiet-time checkpoint; none of
 * them runs inside the request. Every write goes through `writes` (store/write-gate.ts), which
 * waits for another process's lock without stopping the event loop.
 */
export async function createServerServices(database: ServerDatabase, options: ServerServiceOptions = {}) {
  let hub: FollowerHub | undefined;
  let webhookWorker: WebhookWorker | undefined;
  let sealer: TreeSealer | undefined;
  const committed = () => {
    hub?.poke();
    webhookWorker?.poke();
    sealer?.poke();
  };
  const onError = options.onError ?? (() => {});
  const base =
    database.kind === 'sqlite'
      ? onSqlite(database.db, options, committed, (orgId) => sealer?.grew(orgId))
      : onSharedDatabase(database.shared, options, committed, () => hub?.organizations() ?? []);
  const { engine, now } = base;
  // Read before any background work starts: a database without its key starts nothing.
  const positions = await createPositionCodec(engine.stores);
  const streams = createStreamRegistry(
    engine.stores.directory,
    {
      perToken: options.streams?.perToken ?? DEFAULT_STREAM_LIMITS.perToken,
      perAddress: options.streams?.perAddress ?? DEFAULT_STREAM_LIMITS.perAddress,
      recheckMs: options.streams?.recheckMs ?? DEFAULT_STREAM_LIMITS.recheckMs,
    },
    onError,
  );
  hub = createFollowerHub(engine.stores.events, {
    pollIntervalMs: options.followerPollMs,
    onError,
    // A revocation or demotion, from here or from an admin command, ends the streams it concerns
    // before they are sent anything written after it.
    beforeDeliver: async (batch) => {
      if (batch.some((stored) => changesAccess(stored.event))) await streams.recheck();
    },
  });
  webhookWorker = createWebhookWorker(engine, { onError, ...options.webhooks, now });
  const authFailures = createAuthFailureAuditor(engine, now, onError);
  const logKey = options.logKey ?? base.logKey();
  sealer =
    options.treeSealing === false
      ? idleSealer()
      : createTreeSealer(engine, logKey, {
          checkpointIntervalMs: options.checkpointIntervalMs,
          pollMs: options.followerPollMs,
          onError,
          now,
          leafWorker: base.leafWorker(),
          ingestSeals: database.kind === 'sqlite',
        });
  const treeSealer = sealer;
  const liveHub = hub;
  const worker = webhookWorker;
  return {
    /** The stores through the engine-neutral port: what routes and flows call. */
    engine,
    /**
     * The synchronous SQLite stores under the engine: tests reach the database through them
     * (fixtures, assertions); nothing in src calls them, every route and worker uses `engine`.
     * On PostgreSQL there are none: reading it throws.
     */
    get sqlite(): ServedStores {
      if (!base.sqlite) throw new Error('this server runs on PostgreSQL: it has no SQLite stores');
      return base.sqlite;
    },
    now,
    hub: liveHub,
    streams,
    sseFrames: createSseFrames(positions),
    positions,
    cursors: createCursorCodec(positions),
    authFailures,
    logKey,
    sealer: treeSealer,
    webhooks: {
      worker,
      allowPrivate: options.webhooks?.allowPrivate ?? false,
    },
    /** Stops the background work; settles once the webhook worker gave its leases back. */
    async close(): Promise<void> {
      liveHub.close();
      streams.close();
      authFailures.close();
      const workerStopped = worker.stop();
      base.close();
      treeSealer.close();
      await workerStopped;
    },
  };
}

export type ServerServices = Awaited<ReturnType<typeof createServerServices>>;

/** The database a server runs on: its own SQLite file, or one that several instances share. */
export type ServerDatabase = { kind: 'sqlite'; db: Db } | { kind: 'shared'; shared: SharedServerDatabase };

/** What differs between the engines under the services. */
interface ServicesBase {
  engine: Engine;
  now: () => number;
  sqlite: ServedStores | undefined;
  logKey(): NoteSigner;
  leafWorker(): LeafWorker | undefined;
  /** Stops what the base runs in the background; the database itself is closed by its owner. */
  close(): void;
}

/**
 * One process's SQLite file: every write through the write gate (it waits for another
 * process's lock without stopping the event loop), the WAL checkpointed when writes go quiet,
 * the signing key in a file beside the database. Ingest seals its own events in its transaction
 * (no second commit, no re-read); a backlog's leaves are hashed on a worker thread.
 */
function onSqlite(
  db: Db,
  options: ServerServiceOptions,
  committed: () => void,
  treeGrown: (orgId: number) => void,
): ServicesBase {
  const writes = createWriteGate(db, { onError: options.onError });
  const checkpointer = createQuietCheckpointer(db, options.quietCheckpointMs ?? 1000);
  const stores = createStores(
    db,
    options.now,
    () =>
      writes.afterCommit(() => {
        committed();
        checkpointer.poke();
      }),
    {
      eventCounts: options.eventCounts,
      sealOnIngest:
        options.treeSealing === false ? undefined : { grown: treeGrown, leaves: leavesOfInserted },
    },
  );
  const server = createServerStores(stores);
  return {
    engine: createSqliteEngine(stores, writes, server),
    now: stores.now,
    sqlite: { ...stores, events: server.eventReads, merkle: server.merkleReads },
    logKey: () => openLogKey(db.name),
    leafWorker: () => sealerWorker(db),
    close: () => checkpointer.close(),
  };
}

/**
 * A database several instances share (PostgreSQL): its own commits and those other instances
 * make to the organizations followed here wake the same background work; the signing key is
 * the one the database holds for all of them.
 */
function onSharedDatabase(
  shared: SharedServerDatabase,
  options: ServerServiceOptions,
  committed: () => void,
  followed: () => readonly number[],
): ServicesBase {
  shared.watch(committed, followed);
  return {
    engine: shared.engine,
    now: options.now ?? Date.now,
    sqlite: undefined,
    logKey: () => shared.logKey,
    // The worker thread reads the SQLite file; here the sealer hashes on the event loop.
    leafWorker: () => undefined,
    close: () => {},
  };
}

/**
 * The sealer's worker thread, unless the server is told not to use one (AUDIT_SEAL_WORKER=0).
 * What a worker computed is stored only while the engine's sealing state is as it was asked at
 * (no erasure or purge here, no other process's write: store/sqlite-sealing.ts).
 */
function sealerWorker(db: Db): LeafWorker | undefined {
  if (process.env.AUDIT_SEAL_WORKER === '0') return undefined;
  return lazyLeafWorker(() => startLeafWorker(db.name));
}

/** The sealer of a server whose tree is switched off (the bench's baseline): it does nothing. */
function idleSealer(): TreeSealer {
  return { poke() {}, grew() {}, async settle() {}, close() {} };
}
