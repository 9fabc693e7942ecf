import type { Engine, WriteScope } from '../port.js';
import { assertDurablePostgres } from './durability.js';
import { asWriteLockTimeout, beginWithLockTimeout } from './lock-wait.js';
import { migratePostgres } from './migrate.js';
import { ensureEventPartitions } from './partitions.js';
import { commit, createPgPool, inTransaction, type PgClient, type PgPool } from './pool.js';
import { forgetOverwritten, scrub } from './scrub.js';
import { ensurePgServerKeys, resolveSecretsKey, type SecretsKeySource } from './server-keys.js';
import { type PgPortContext, pgStorePort } from './store-port.js';

export interface PgEngineOptions {
  now?: () => number;
  /** How long a write waits for a lock (another writer of the organization) before 503. Default 5 s. */
  lockTimeoutMs?: number;
  poolSize?: number;
  /** Accept a cluster that may lose acknowledged commits (the throwaway test cluster only). */
  allowUnsafe?: boolean;
  /** false: ingest leaves event_counts alone (bench baseline). */
  eventCounts?: boolean;
  /** After each COMMIT that stored events: the organization and its last position (hub poke, NOTIFY). */
  onCommit?: (orgId: number, last: number) => void;
  /** Told of an afterCommit callback that threw; default: a process warning. */
  onError?: (error: unknown) => void;
  /**
   * The secrets key every instance is given (its key file): opens the sealed keys and webhook
   * secrets, and makes the server's keys on first use (server-keys.ts). Without it (most admin
   * commands) what needs it answers an error naming it.
   */
  secretsKey?: SecretsKeySource;
}

export interface PgEngine extends Engine {
  kind: 'postgres';
  pool: PgPool;
  /** The secrets key the engine was opened with (resolved from its file), if any. */
  secretsKey: Buffer | undefined;
}

/** The session advisory lock of Engine.exclusively (an arbitrary constant; migrate.ts has its own). */
const EXCLUSIVE_LOCK_KEY = 7_302_312_024;

const READ_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/**
 * Opens the PostgreSQL engine: the pool, the durability check, the migrations (under their
 * advisory lock, so instances starting together apply them once) and the months' partitions.
 */
export async function openPgEngine(url: string, options: PgEngineOptions = {}): Promise<PgEngine> {
  lockTimeoutOf(options);
  const now = options.now ?? Date.now;
  const pool = createPgPool(url, options.poolSize === undefined ? {} : { max: options.poolSize });
  let secretsKey: Buffer | undefined;
  try {
    await assertDurablePostgres(pool, options.allowUnsafe ?? false);
    await migratePostgres(pool, undefined, async (locked) => {
      await ensureEventPartitions(locked, now());
      if (options.secretsKey === undefined) return;
      secretsKey = await resolveSecretsKey(locked, options.secretsKey);
      await ensurePgServerKeys(locked, secretsKey);
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createPgEngine(pool, { ...options, secretsKey });
}

/** The engine over a pool whose database is migrated (and whose keys are made, given a key). */
export function createPgEngine(
  pool: PgPool,
  options: Omit<PgEngineOptions, 'secretsKey'> & { secretsKey?: Buffer | undefined } = {},
): PgEngine {
  const lockTimeoutMs = lockTimeoutOf(options);
  const onError =
    options.onError ?? ((error: unknown) => process.emitWarning(error as Error, 'AfterCommitError'));
  const context: PgPortContext = {
    pool,
    now: options.now ?? Date.now,
    secretsKey: options.secretsKey,
    ingest: {
      eventCounts: options.eventCounts,
      lockTimeoutMs,
      afterCommit: (orgId, last) => options.onCommit?.(orgId, last),
    },
  };
  const stores = pgStorePort({ mode: 'pool', pool }, context);
  const asTimeout = (error: unknown) => asWriteLockTimeout(error, lockTimeoutMs);
  const runAll = (callbacks: readonly (() => void)[]) => {
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        onError(error);
      }
    }
  };

  return {
    kind: 'postgres',
    pool,
    secretsKey: options.secretsKey,
    stores,
    forgetOverwritten: () => forgetOverwritten(pool),
    scrub: (waitMs) => scrub(pool, waitMs),
    exclusively: (work) => withAdvisoryLock(pool, EXCLUSIVE_LOCK_KEY, work),

    read: (work) =>
      inTransaction(
        pool,
        async (client) => {
          let open = true;
          try {
            return await work(pgStorePort({ mode: 'read', client: whileOpen(client, () => open) }, context));
          } finally {
            open = false;
          }
        },
        READ_BEGIN,
      ),

    async write<T>(work: (tx: WriteScope) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let open = true;
      let broken = false;
      const callbacks: (() => void)[] = [];
      const advanced = new Map<number, number>();
      const guarded = whileOpen(client, () => open);
      const scope: WriteScope = {
        ...pgStorePort(
          { mode: 'write', client: guarded, advanced: (orgId, last) => advanced.set(orgId, last) },
          context,
        ),
        afterCommit: (callback) => {
          if (!open) throw new Error('a write scope was used after its transaction ended');
          callbacks.push(callback);
        },
      };
      let result: T;
      try {
        broken = true;
        await client.query(beginWithLockTimeout(lockTimeoutMs));
        broken = false;
        try {
          result = await work(scope);
        } catch (error) {
          open = false;
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw asTimeout(error);
        }
        open = false;
        // A COMMIT that failed leaves the connection in an unknown state: destroyed, not reused.
        broken = true;
        await commit(client).catch((error: unknown) => {
          throw asTimeout(error);
        });
        broken = false;
      } finally {
        open = false;
        client.release(broken);
      }
      // Committed: what follows is told, never undone; a listener that throws is reported.
      runAll(callbacks);
      runAll(
        [...advanced].map(
          ([orgId, last]) =>
            () =>
              context.ingest.afterCommit?.(orgId, last),
        ),
      );
      return result;
    },

    // No transaction is shared between callers here: outside a write, there is none to wait for.
    afterCommit: (callback) => queueMicrotask(() => runAll([callback])),

    async close() {
      await pool.end();
    },
  };
}

/** Runs `work` holding a session advisory lock on a connection of its own. */
async function withAdvisoryLock<T>(pool: PgPool, key: number, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {
        broken = true;
      });
    }
  } finally {
    // A lock that could not be given back dies with its connection.
    client.release(broken);
  }
}

/**
 * The lock wait bound, refused unless PostgreSQL's lock_timeout takes it (an integer of ms,
 * 0 = no bound, up to 2^31 - 1): otherwise every write would fail at its BEGIN.
 */
function lockTimeoutOf(options: PgEngineOptions): number {
  const ms = options.lockTimeoutMs ?? 5000;
  if (!Number.isInteger(ms) || ms < 0 || ms > 2147483647) {
    throw new RangeError(`lockTimeoutMs must be an integer from 0 to 2147483647, not ${ms}`);
  }
  return ms;
}

/**
 * The client as a scope sees it: its queries refused once the transaction ended, so a scope kept
 * past its work cannot run statements in the next user's transaction on a reused connection.
 */
function whileOpen(client: PgClient, isOpen: () => boolean): PgClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) =>
        isOpen()
          ? Reflect.apply(target.query, target, args)
          : Promise.reject(new Error('a store scope was used after its transaction ended'));
    },
  });
}
