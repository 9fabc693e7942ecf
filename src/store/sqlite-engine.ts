import { asyncFacade, type CallPolicy, callNow, lazyFacade } from './async-facade.js';
import type { Db } from './database.js';
import { EVENT_COLUMNS, valuesToStoredEvent } from './event-rows.js';
import type { Async, Engine, EventPort, MerklePort, StorePort, WriteScope } from './port.js';
import { dropWalHistory } from './secrets-at-rest.js';
import type { Scrubber } from './sqlite-scrub.js';
import type { ServerStores } from './sqlite-server-stores.js';
import type { StatsStore } from './stats-store.js';
import { createStores, type Stores } from './stores.js';
import { outsideTransactions } from './transaction.js';
import { createWriteGate, type WriteGate } from './write-gate.js';

/** The SQLite engine, and a way in for synchronous SQLite work (tests) at a safe moment. */
export interface SqliteEngine extends Engine {
  /**
   * Runs synchronous SQLite work on the engine's connection at a moment no write transaction
   * is open (at once when none is): another request's open transaction is never read from or
   * written into. An async `run` is covered up to its first await only.
   */
  exclusive<T>(run: () => T): Promise<Awaited<T>>;
}

/**
 * The SQLite engine: the synchronous stores behind the asynchronous port. A call runs the store's own
 * method at once and answers on the next microtask, so a write's work, awaiting only these,
 * still runs start to end within one turn of the event loop, as the gate requires. The gate's
 * setImmediate guard against work that waits longer is best effort: a macrotask of the same
 * phase may run before it fires. So reads outside a write, and `exclusive`, wait for no
 * transaction to be open on the connection (outsideTransactions), not only for this engine's.
 */
export function createSqliteEngine(stores: Stores, writes: WriteGate, server?: ServerStores): SqliteEngine {
  const { db } = stores;
  // Without the server's stores handed in (an admin command's engine), made on first use.
  let serverStores: Promise<ServerStores> | undefined;
  const serverStoresMade = () => {
    serverStores ??= import('./sqlite-server-stores.js').then((module) => module.createServerStores(stores));
    return serverStores;
  };
  const serverPort = <K extends keyof ServerStores>(key: K, policy: CallPolicy): Async<ServerStores[K]> =>
    server
      ? asyncFacade(server[key], policy)
      : lazyFacade(async () => (await serverStoresMade())[key], policy);
  const readFrom = readFromStatement(db);
  // Loaded and built on first use: admin commands never count (their module budget), and
  // preparing its statements costs. A count is a read: never asked inside a write.
  let statsStore: Promise<StatsStore> | undefined;
  const stats = (): Promise<StatsStore> => {
    statsStore ??= import('./stats-store.js').then(({ createStatsStore }) => createStatsStore(db));
    return statsStore;
  };

  // The write in progress, if any: calls outside it wait for it to settle (they would read
  // its uncommitted rows on this one connection otherwise), as they wait for any other
  // transaction open on the connection (another engine's or gate's over the same one).
  let writing: Promise<unknown> | undefined;
  const outside: CallPolicy = (run) => (writing || db.inTransaction ? afterWrites(run) : callNow(run));
  async function afterWrites<R>(run: () => R): Promise<R> {
    while (writing) await writing.catch(() => {});
    return outsideTransactions(db, run);
  }

  function eventPortOver(policy: CallPolicy): EventPort {
    const reads = serverPort('eventReads', policy);
    return {
      ...asyncFacade(stores.events, policy),
      exportChunk: (...args) => reads.exportChunk(...args),
      findBySeq: (orgId, seq) =>
        policy(() => {
          const stored = stores.events.findBySeq(seq);
          return stored?.orgId === orgId ? stored : undefined;
        }),
      readFrom: (orgId, afterSeq, limit) =>
        policy(() => readFrom.all(afterSeq, orgId, limit).map(valuesToStoredEvent)),
      purgeBefore: (orgId, cutoff) => policy(() => stores.events.purgeBefore(orgId, cutoff)),
      // One sequence for every organization: its end bounds each organization's.
      maxSeq: () => policy(() => stores.events.maxSeq()),
      endSeq: () => policy(() => stores.events.endSeq()),
    };
  }

  function merklePortOver(policy: CallPolicy): MerklePort {
    // The synchronous lookup stays below the port: callers compute through withSubtrees.
    const { subtrees: _lookup, ...merkle } = asyncFacade(stores.merkle, policy);
    const reads = serverPort('merkleReads', policy);
    return {
      ...merkle,
      leafRows: (...args) => reads.leafRows(...args),
      exportLeaves: (...args) => reads.exportLeaves(...args),
      sealedSeq: () => policy(() => stores.merkle.sealedSeq()),
      leafOfSeq: (orgId, eventSeq) =>
        policy(() =>
          stores.merkle.leafOfEvent(orgId, eventSeq) ? stores.merkle.leafOfSeq(eventSeq) : undefined,
        ),
      // One call under the policy: the lookups read the tables as `compute` asks, in one view.
      withSubtrees: (orgId, compute) => policy(() => compute(stores.merkle.subtrees(orgId))),
    };
  }

  /**
   * The port under `policy`, each store's face made on first use: a write scope is made per
   * transaction, and an ingest then pays for the recorder's face alone.
   */
  function portOver(policy: CallPolicy): WriteScope {
    let events: EventPort | undefined;
    let directory: StorePort['directory'] | undefined;
    let recorder: StorePort['recorder'] | undefined;
    let merkle: MerklePort | undefined;
    let statsPort: StorePort['stats'] | undefined;
    let webhooks: StorePort['webhooks'] | undefined;
    let deliveries: StorePort['deliveries'] | undefined;
    let settings: StorePort['settings'] | undefined;
    let review: StorePort['review'] | undefined;
    let sealing: StorePort['sealing'] | undefined;
    let gdpr: StorePort['gdpr'] | undefined;
    return {
      afterCommit: (callback) => writes.afterCommit(callback),
      get events() {
        events ??= eventPortOver(policy);
        return events;
      },
      get directory() {
        directory ??= asyncFacade(stores.directory, policy);
        return directory;
      },
      get recorder() {
        recorder ??= asyncFacade(stores.recorder, policy);
        return recorder;
      },
      get merkle() {
        merkle ??= merklePortOver(policy);
        return merkle;
      },
      get stats() {
        statsPort ??= {
          stats: async (...args) => {
            const store = await stats();
            return policy(() => store.stats(...args));
          },
        };
        return statsPort;
      },
      get webhooks() {
        webhooks ??= serverPort('webhooks', policy);
        return webhooks;
      },
      get deliveries() {
        deliveries ??= serverPort('deliveries', policy);
        return deliveries;
      },
      get settings() {
        settings ??= serverPort('settings', policy);
        return settings;
      },
      get review() {
        review ??= serverPort('review', policy);
        return review;
      },
      get sealing() {
        sealing ??= serverPort('sealing', policy);
        return sealing;
      },
      get gdpr() {
        gdpr ??= serverPort('gdpr', policy);
        return gdpr;
      },
    };
  }

  const outsidePort: StorePort = portOver(outside);

  let scrubber: Promise<Scrubber> | undefined;

  // The read snapshot open on the connection, if any: how to end it.
  let endSnapshot: (() => void) | undefined;

  /**
   * `work` in one read transaction (one snapshot) for as long as it awaits only its own store
   * calls, which answer on the next microtask: at most until the end of this turn of the event
   * loop (a setImmediate ends it), or until a write of this engine begins. From then on its reads
   * are each a snapshot of their own, as outside. Other reads wait for it as for a write.
   */
  function inSnapshot<T>(work: (stores: StorePort) => Promise<T>): Promise<T> {
    db.exec('BEGIN');
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      clearImmediate(sentinel);
      if (endSnapshot === end) endSnapshot = undefined;
      if (db.open && db.inTransaction) db.exec('COMMIT');
    };
    const sentinel = setImmediate(end);
    endSnapshot = end;
    const inside: CallPolicy = (run) => (open ? callNow(run) : outside(run));
    let running: Promise<T>;
    try {
      running = work(portOver(inside));
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(end);
  }

  return {
    kind: 'sqlite',
    stores: outsidePort,
    read: (work) => (writing || db.inTransaction ? work(outsidePort) : inSnapshot(work)),
    write<T>(work: (tx: WriteScope) => Promise<T>): Promise<T> {
      // A read snapshot open on the connection gives way: its work reads on without one.
      endSnapshot?.();
      let open = true;
      let ended = () => {};
      let mine: Promise<void> | undefined;
      const end = () => {
        open = false;
        if (writing === mine) writing = undefined;
        ended();
      };
      const inside: CallPolicy = (run) =>
        open ? callNow(run) : Promise.reject(new Error('a write scope was used after its transaction ended'));
      const scope = portOver(inside);
      return writes
        .writeAsync(() => {
          // From BEGIN to COMMIT or ROLLBACK only: a write waiting for the lock holds no reader.
          mine = new Promise<void>((resolve) => {
            ended = resolve;
          });
          writing = mine;
          return work(scope);
        }, end)
        .finally(end);
    },
    afterCommit: (callback) => writes.afterCommit(callback),
    // A WAL checkpoint and truncation, never waiting on the busy handler (secrets-at-rest.ts).
    forgetOverwritten: () => outside(() => dropWalHistory(db)),
    exclusively: (work) => work(),
    // The full-text index merged, the WAL checkpointed and truncated (sqlite-scrub.ts): loaded
    // on first use, so an admin command never loads it.
    async scrub(waitMs) {
      if (!db.open) return false;
      scrubber ??= import('./sqlite-scrub.js').then((module) => module.createScrubber(db));
      return (await scrubber).scrub(waitMs);
    },
    exclusive: <T>(run: () => T) => outside(run) as Promise<Awaited<T>>,
    async close() {
      if (db.open) db.close();
    },
  };
}

/**
 * The organization's events after a position (the follower hub's read): walks the (org_id, seq)
 * index of migration 4 from the position, so a read costs the rows it returns, not the
 * organization's every event sorted (test/unit/query-plan.test.ts).
 */
export const READ_FROM_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? AND org_id = ? ORDER BY seq LIMIT ?`;

function readFromStatement(db: Db) {
  return db.prepare<[number, number, number], unknown[]>(READ_FROM_SQL).raw(true);
}

/**
 * An engine over a connection of its own making: for admin commands and tests. The server's
 * stores (webhooks, GDPR, review, sealing, settings, the export and leaves reads) are made on
 * their first call, a wait that a write's guard rolls back: a write through them needs
 * createSqliteEngine given them.
 */
export function sqliteEngineOf(db: Db, now?: () => number): SqliteEngine {
  return createSqliteEngine(createStores(db, now), createWriteGate(db));
}
