import pg from 'pg';

/**
 * Every connection of the pool was busy for the whole wait: the instance is saturated, so the
 * request may be sent again later. Its code is WriteLockTimeoutError's, so the API answers it the
 * same way (503 with Retry-After).
 */
export class PoolWaitTimeoutError extends Error {
  override readonly name = 'PoolWaitTimeoutError';
  readonly code = 'SQLITE_BUSY';
  constructor(waitedMs: number, cause: Error) {
    super(`no database connection came free within ${waitedMs} ms (${cause.message})`, { cause });
  }
}

/** pg-pool's words when a caller waited connectionTimeoutMillis for a client of a full pool. */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  done: () => void,
) => void;

/**
 * pg.Pool whose wait for a free client ends in PoolWaitTimeoutError, for pool.connect() and the
 * pool.query() that connects through it alike. pg-pool bounds that wait by the same option as
 * a new connection's attempt, connectionTimeoutMillis (pool.ts: libpq's connect_timeout, 10 s
 * by default), so a request waits at most that long for a client, then at most lock_timeout
 * for each lock (lock-wait.ts).
 */
export class BoundedWaitPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    if (callback) {
      super.connect((error, client, done) => callback(this.waitError(error), client, done));
      return;
    }
    return super.connect().catch((error: unknown) => {
      throw this.waitError(error as Error);
    });
  }

  private waitError(error: Error | undefined): Error | undefined {
    if (error?.message !== POOL_WAIT_TIMEOUT) return error;
    return new PoolWaitTimeoutError(this.options.connectionTimeoutMillis ?? 0, error);
  }
}
