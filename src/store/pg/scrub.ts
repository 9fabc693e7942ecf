import type { PgClient, PgPool, Queryable } from './pool.js';

/**
 * Erasure made final in PostgreSQL's table files. An UPDATE leaves the old row version in the
 * heap, and plain VACUUM removes it without wiping the bytes: measured, the old values stayed in
 * the btree and GIN index pages and in every TOAST chunk (docs/security.md). VACUUM FULL
 * writes each relation the erasure touched, its indexes and TOAST into new files and empties the
 * old ones; ANALYZE then replaces the column statistics (most common values can be personal
 * data) and VACUUM FULL of pg_statistic drops the old ones. Which relations need it is kept in
 * server_settings, a key per relation whose value is the xid of the last erasure that touched
 * it: a scrub clears a key only if no erasure marked it again meanwhile.
 */

const PENDING_PREFIX = 'gdpr_scrub_pending:';
/** Marked with every erasure: the old column statistics, dropped after the relations are analyzed. */
export const STATISTICS = 'pg_statistic';
const POLL_MS = 25;
const SCRUB_LOCK = "SELECT pg_advisory_lock(hashtext('audit.gdpr_scrub'))";
const SCRUB_UNLOCK = "SELECT pg_advisory_unlock(hashtext('audit.gdpr_scrub'))";
/** Whether the role may vacuum every table of the database, pg_statistic included. */
const DATABASE_OWNER =
  "pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')";
/** lock_not_available: lock_timeout passed. */
const LOCK_TIMEOUT = '55P03';

/** Inside the erasure's transaction: these relations hold old copies until a scrub succeeds. */
export async function markScrubPending(db: Queryable, relations: Iterable<string>): Promise<void> {
  const keys = [...new Set(relations)].map((relation) => PENDING_PREFIX + relation);
  if (keys.length === 0) return;
  await db.query(
    `INSERT INTO server_settings (key, value) SELECT k, pg_current_xact_id()::text FROM unnest($1::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [keys],
  );
}

export async function scrubPending(db: Queryable): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT 1 FROM server_settings WHERE key LIKE 'gdpr\\_scrub\\_pending:%' LIMIT 1",
  );
  return rows.length > 0;
}

interface Pending {
  key: string;
  relation: string;
  /** The xid (xid8) of the last erasure that marked it. */
  xid: bigint;
}

/**
 * Scrubs every relation marked, waiting up to `waitMs` in all for readers: a snapshot taken
 * before an erasure committed keeps its old rows (VACUUM FULL copies row versions any snapshot
 * may still see), and a reader's lock keeps VACUUM FULL from starting. True once nothing is
 * pending; false when readers kept it from finishing (what is pending stays marked).
 */
export async function scrub(pool: PgPool, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  const client = await pool.connect();
  let broken = false;
  let locked = false;
  try {
    await boundLockWaits(client, deadline);
    // One scrub at a time across instances: a second waits for the first and finds it done.
    locked = await lockWaitEnds(client.query(SCRUB_LOCK));
    if (!locked) return false;
    for (;;) {
      const pending = await readPending(client);
      const [first] = pending;
      if (!first) return true;
      // The relations (and the parents they mark) first; the old statistics once none is left.
      const relations = pending.filter((item) => item.relation !== STATISTICS);
      let newest = 0n;
      for (const item of relations) if (item.xid > newest) newest = item.xid;
      if (relations.length === 0 || !(await heldBack(client, newest))) {
        await boundLockWaits(client, deadline);
        if (
          relations.length > 0
            ? await vacuumAll(client, relations)
            : await dropOldStatistics(client, first, deadline)
        )
          continue;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection that failed is destroyed, which ends its session lock too.
    if (!broken && locked) await client.query(SCRUB_UNLOCK).catch(() => (broken = true));
    if (!broken) await client.query('RESET lock_timeout').catch(() => (broken = true));
    client.release(broken);
  }
}

/** lock_timeout for the rest of the scrub's wait (at least 1 ms: 0 would mean no bound). */
async function boundLockWaits(client: PgClient, deadline: number): Promise<void> {
  const left = Math.max(1, deadline - Date.now());
  await client.query(`SET lock_timeout = ${Math.min(left, 2147483647)}`);
}

/** True once `statement` ran; false if its lock wait ran out. */
async function lockWaitEnds(statement: Promise<unknown>): Promise<boolean> {
  try {
    await statement;
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_TIMEOUT) return false;
    throw error;
  }
}

/**
 * Best effort, without waiting: the earlier versions of webhook rows (an old URL, a deleted
 * webhook's sealed secret) leave the files. A reader's lock or snapshot defers it to next time.
 */
export async function forgetOverwritten(pool: PgPool): Promise<void> {
  const client = await pool.connect();
  let broken = true;
  try {
    await client.query('SET lock_timeout = 50');
    await lockWaitEnds(client.query('VACUUM (FULL) webhooks'));
    await client.query('RESET lock_timeout');
    broken = false;
  } finally {
    client.release(broken);
  }
}

async function readPending(client: PgClient): Promise<Pending[]> {
  const { rows } = await client.query<{ key: string; value: string }>(
    "SELECT key, value FROM server_settings WHERE key LIKE 'gdpr\\_scrub\\_pending:%' ORDER BY key",
  );
  return rows.map((row) => ({
    key: row.key,
    relation: row.key.slice(PENDING_PREFIX.length),
    xid: BigInt(row.value),
  }));
}

/**
 * Whether PostgreSQL may still keep row versions an erasure (transaction `xid`) replaced: a
 * transaction of any database runs that began before it ended, a session of this database holds
 * a snapshot that did, a
 * prepared transaction does, or a replica's feedback does (a replication slot's, or a walsender's
 * without a slot: no database). The vacuum
 * horizon is the oldest of these; a lazy VACUUM's own (pg_stat_progress_vacuum) is not counted
 * by PostgreSQL, so not here either.
 */
async function heldBack(client: PgClient, xid: bigint): Promise<boolean> {
  // A transaction of any database of the cluster that began before the erasure ended: VACUUM
  // FULL's own snapshot would then reach back past the erasure (a snapshot's xmin is the oldest
  // xid running anywhere), and it would copy the old rows. Seen whatever role runs it.
  const oldest = await client.query<{ held: boolean }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot()) <= $1::text::xid8 AS held',
    [xid.toString()],
  );
  if (oldest.rows[0]?.held) return true;
  const { rows } = await client.query<{ xid: string }>(
    `SELECT x::text AS xid FROM (
       SELECT unnest(ARRAY[backend_xid, backend_xmin]) AS x FROM pg_stat_activity
       WHERE (datid IS NULL OR datid = (SELECT oid FROM pg_database WHERE datname = current_database()))
         AND pid <> pg_backend_pid() AND pid NOT IN (SELECT pid FROM pg_stat_progress_vacuum)
       UNION ALL SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()
       UNION ALL SELECT xmin FROM pg_replication_slots WHERE xmin IS NOT NULL
       UNION ALL SELECT catalog_xmin FROM pg_replication_slots WHERE catalog_xmin IS NOT NULL
     ) AS horizon WHERE x IS NOT NULL`,
  );
  // Those are 32-bit xids: compared with the erasure's modulo 2^32, as PostgreSQL compares them.
  const low = Number(xid % 4294967296n);
  return rows.some((row) => ((Number(row.xid) - low) | 0) <= 0);
}

/** VACUUM FULL and ANALYZE of each relation, each cleared if no erasure marked it again; false on a lock wait. */
async function vacuumAll(client: PgClient, relations: readonly Pending[]): Promise<boolean> {
  for (const item of relations) {
    if (!(await lockWaitEnds(vacuumFull(client, item)))) return false;
    await clear(client, item);
  }
  return true;
}

async function clear(client: PgClient, item: Pending): Promise<void> {
  await client.query('DELETE FROM server_settings WHERE key = $1 AND value = $2', [
    item.key,
    item.xid.toString(),
  ]);
}

/**
 * The relation, its indexes and TOAST into new files; then new column statistics, which hold
 * most common values and histogram bounds (personal data too). A partitioned table has no files
 * and keeps statistics of its own only where someone analyzed it: then a partition marks it, to
 * be analyzed once after its partitions. Names are regclass text (PostgreSQL's own quoting); a
 * relation dropped since (a retention purge's partition DROP) left no file to scrub.
 */
async function vacuumFull(client: PgClient, item: Pending): Promise<void> {
  const { rows } = await client.query<{
    name: string | null;
    partitioned: boolean;
    permitted: boolean;
    parent: string | null;
  }>(
    `SELECT r::text AS name, (SELECT relkind = 'p' FROM pg_class WHERE oid = r) AS partitioned,
       (SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = r) OR ${DATABASE_OWNER} AS permitted, (
       SELECT i.inhparent::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE i.inhrelid = r AND EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname)
     ) AS parent FROM to_regclass($1) AS r`,
    [item.relation],
  );
  const found = rows[0];
  if (!found?.name) return;
  // PostgreSQL skips, with a mere warning, a relation the role may not vacuum: never a false success.
  if (!found.permitted) {
    throw new Error(
      `the GDPR scrub may not VACUUM ${found.name}: run the server as the role that owns the tables (or the database)`,
    );
  }
  if (found.partitioned) {
    await client.query(`ANALYZE ${found.name}`);
    return;
  }
  await client.query(`VACUUM (FULL, ANALYZE) ${found.name}`);
  if (found.parent) {
    await client.query(
      'INSERT INTO server_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      [PENDING_PREFIX + found.parent, item.xid.toString()],
    );
  }
}

/**
 * The old row versions of pg_statistic, once the ANALYZEs that replaced them are older than every
 * snapshot (VACUUM FULL keeps a version a snapshot may still see); waits for that until
 * `deadline`. Only the database's owner may VACUUM pg_statistic; for any other role PostgreSQL
 * skips it with a warning, so this says so once (docs/security.md). False on a wait.
 */
async function dropOldStatistics(client: PgClient, item: Pending, deadline: number): Promise<boolean> {
  const { rows } = await client.query<{ next: string; owner: boolean }>(
    `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next, ${DATABASE_OWNER} AS owner`,
  );
  const found = rows[0];
  if (!found) return false;
  if (!found.owner) {
    warnOnce();
    await clear(client, item);
    return true;
  }
  while (await heldBack(client, BigInt(found.next) - 1n)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (!(await lockWaitEnds(client.query('VACUUM (FULL) pg_statistic')))) return false;
  await clear(client, item);
  return true;
}

let warned = false;
function warnOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    'the server role does not own the database, so old column statistics (pg_statistic) are not scrubbed after a GDPR erasure',
    'GdprScrubWarning',
  );
}
