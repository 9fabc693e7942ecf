import pg from 'pg';
import { BoundedWaitPool } from './pool-wait.js';

/**
 * The connection pool of one server instance on PostgreSQL. This folder is the only place that
 * imports `pg`, and nothing outside it imports this folder statically: the driver loads only
 * when the server is given a PostgreSQL URL (test/unit/pg-imports.test.ts).
 */
export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;
/** A pool or one of its clients: what a single statement can run on. */
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export interface PgPoolOptions {
  /** Connections per instance (README: max_connections ≥ instances × (max + 2)). */
  max?: number;
  /**
   * Told when an idle connection of the pool fails (the server restarted, an administrator
   * ended it); the pool drops it and opens another when needed. Default: a process warning.
   */
  onIdleError?: (error: Error) => void;
}

const INT8_OID = 20;

/**
 * bigint (int8) columns as numbers, as better-sqlite3 gives them: every id, time and position of
 * this schema fits a safe integer, and one that does not is a bug to stop at, not to round.
 * Per pool, not pg.types: other users of `pg` in the process keep the driver's defaults.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`a bigint beyond 2^53 came back: ${text}`);
  return value;
}

const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * How long a connection attempt may take: libpq's `connect_timeout` (seconds, in the URL or
 * PGCONNECT_TIMEOUT) as psql reads it, else 10 s. The driver has no limit of its own, so a
 * host that drops packets would hold a server's start or an admin command for minutes.
 */
export function connectTimeoutMs(url: string, env: NodeJS.ProcessEnv = process.env): number {
  let fromUrl: string | null = null;
  try {
    fromUrl = new URL(url).searchParams.get('connect_timeout');
  } catch {
    // Not a URL (a keyword string): the driver reports it.
  }
  const given = Number(fromUrl ?? env.PGCONNECT_TIMEOUT ?? 10);
  // Not a number: the default, rather than no limit at all.
  const seconds = Number.isFinite(given) ? given : 10;
  // libpq: zero or a negative value waits for ever; less than 2 s is taken as 2 s.
  if (seconds <= 0) return 0;
  return Math.max(2, Math.floor(seconds)) * 1000;
}

export function createPgPool(url: string, options: PgPoolOptions = {}): PgPool {
  // A full pool's wait for a free client ends as a 503 (pool-wait.ts), bounded by the same
  // connectionTimeoutMillis.
  const pool = new BoundedWaitPool({
    connectionString: url,
    max: options.max ?? 10,
    types: TYPES,
    connectionTimeoutMillis: connectTimeoutMs(url),
  });
  // Without a listener, the 'error' of an idle connection would be an uncaught exception.
  pool.on(
    'error',
    options.onIdleError ?? ((error) => process.emitWarning(error, 'PostgresIdleConnectionError')),
  );
  // A connection ended while checked out (a failover, a restart, pg_terminate_backend) emits
  // 'error' on its client, which pg-pool listens for only while it is idle: unheard, that is an
  // uncaught exception that ends the process. The statement under way fails with it anyway (and
  // the holder releases the client as broken), so here it is only heard.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** A single client outside any pool (the listener, tests): same type parsing as the pool. */
export function createPgClient(url: string): pg.Client {
  return new pg.Client({
    connectionString: url,
    types: TYPES,
    connectionTimeoutMillis: connectTimeoutMs(url),
  });
}

/**
 * Runs `work` in a transaction on a client of its own: COMMIT when it resolves, ROLLBACK when it
 * throws (and the error goes on). `begin` is the statement that opens it, e.g. with an isolation level.
 */
export async function inTransaction<T>(
  pool: PgPool,
  work: (client: PgClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  // A client whose BEGIN, ROLLBACK or COMMIT failed is in an unknown state (perhaps inside a
  // transaction): destroyed, not reused.
  let broken = true;
  try {
    await client.query(begin);
    broken = false;
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
    broken = true;
    await commit(client);
    broken = false;
    return result;
  } finally {
    client.release(broken);
  }
}

/**
 * A COMMIT that PostgreSQL turned into a ROLLBACK: a statement of the transaction failed (and
 * was caught by the work), so nothing of it was stored. Reported as a failure, never as success.
 */
export class TransactionAbortedError extends Error {
  override readonly name = 'TransactionAbortedError';
  constructor() {
    super('the transaction was rolled back: a statement in it failed');
  }
}

/**
 * COMMIT, checked: on a transaction already aborted PostgreSQL answers COMMIT with ROLLBACK and
 * no error, so the reply's command is what tells a commit from a rollback.
 */
export async function commit(client: PgClient): Promise<void> {
  const reply = await client.query('COMMIT');
  if (reply.command !== 'COMMIT') throw new TransactionAbortedError();
}
