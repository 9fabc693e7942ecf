import { inTransaction, type PgClient, type PgPool, type Queryable } from './pool.js';

/**
 * The one way to change stored events on PostgreSQL (the retention purge, GDPR erasure): a
 * transaction with the append-only guard of migration 1 lifted for itself only (SET LOCAL), in
 * which the organization's Merkle epoch moves, so a sealer that hashed leaves before it knows
 * they may be stale (plan §3: leaves are kept only if epoch and sealed_seq are unchanged).
 * SQLite's inMaintenanceWindow (src/store/transaction.ts) for several instances.
 */
export async function inMaintenanceWindow<T>(
  pool: PgPool,
  orgId: number,
  work: (client: PgClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  return inTransaction(
    pool,
    async (client) => {
      await openMaintenanceWindow(client, orgId);
      return work(client);
    },
    begin,
  );
}

/**
 * Lifts the guard inside a transaction already open on `client` (a write of the store port) and
 * moves the organization's epoch; runs `work`, then puts the guard back, so the rest of that
 * transaction is guarded again, also when `work` throws and the caller catches it and goes on.
 * Putting it back fails only in a transaction PostgreSQL already aborted, which cannot commit
 * (pool.ts commit): then the work's own error is the one reported.
 */
export async function inOpenMaintenanceWindow<T>(
  client: Queryable,
  orgId: number,
  work: () => Promise<T>,
): Promise<T> {
  await openMaintenanceWindow(client, orgId);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await closeMaintenanceWindow(client).catch(() => {});
    throw error;
  }
  await closeMaintenanceWindow(client);
  return result;
}

/** Puts the guard back for the rest of the transaction. */
export async function closeMaintenanceWindow(client: Queryable): Promise<void> {
  await client.query("SET LOCAL audit.maintenance = 'off'");
}

/** Lifts the guard for the rest of the transaction open on `client` and moves the organization's epoch. */
export async function openMaintenanceWindow(client: Queryable, orgId: number): Promise<void> {
  // The organization's positions row first, as ingest takes it (event-ingest.ts) before the
  // event_counts rows a purge also changes: one lock order, so a purge and an ingest of one
  // organization wait for each other instead of deadlocking.
  await client.query('SELECT 1 FROM org_positions WHERE org_id = $1 FOR UPDATE', [orgId]);
  await client.query("SET LOCAL audit.maintenance = 'on'");
  await client.query(
    `INSERT INTO merkle_state (org_id, epoch) VALUES ($1, 1)
     ON CONFLICT (org_id) DO UPDATE SET epoch = merkle_state.epoch + 1`,
    [orgId],
  );
}
