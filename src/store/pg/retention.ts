import { asWriteLockTimeout, beginWithLockTimeout } from './lock-wait.js';
import { inMaintenanceWindow, inOpenMaintenanceWindow } from './maintenance.js';
import type { PgClient, PgPool, Queryable } from './pool.js';

/**
 * The retention purge of one organization: a whole month that holds only its events goes by a
 * DROP of the month's partition, the rest row by row. Inside the maintenance window
 * (maintenance.ts); the ids go from event_ids too, so an id purged may be sent again, as on
 * SQLite; and the purge's record is written by `audit` in the same transaction when it removed
 * any (on `client`, e.g. with ingestInTransaction).
 */
export function createPgRetention(pool: PgPool, lockTimeoutMs = 5000) {
  return {
    async purgeBefore(
      orgId: number,
      cutoff: number,
      audit: (purged: number, client: PgClient) => Promise<void> | void = () => {},
    ): Promise<number> {
      // A write like any other: its lock waits bounded (a DROP waits for the month's readers).
      return inMaintenanceWindow(
        pool,
        orgId,
        async (client) => {
          const purged = await deleteBefore(client, orgId, cutoff);
          if (purged > 0) await audit(purged, client);
          return purged;
        },
        beginWithLockTimeout(lockTimeoutMs),
      ).catch((error: unknown) => {
        throw asWriteLockTimeout(error, lockTimeoutMs);
      });
    },
  };
}

/**
 * The same purge inside a transaction the caller has open on `client` (a write of the store
 * port, whose work records the purge itself): the guard is lifted for the purge's statements only.
 */
export function purgeInTransaction(client: Queryable, orgId: number, cutoff: number): Promise<number> {
  return inOpenMaintenanceWindow(client, orgId, () => deleteBefore(client, orgId, cutoff));
}

async function deleteBefore(client: Queryable, orgId: number, cutoff: number): Promise<number> {
  const dropped = await dropWholeMonths(client, orgId, cutoff);
  const { rows } = await client.query<{ id: string; seq: number }>(
    'DELETE FROM events WHERE org_id = $1 AND ts < $2 RETURNING id, seq',
    [orgId, cutoff],
  );
  if (rows.length === 0) return dropped;
  await client.query('DELETE FROM event_ids WHERE org_id = $1 AND id = ANY($2::text[])', [
    orgId,
    rows.map((row) => row.id),
  ]);
  await client.query('DELETE FROM webhook_deliveries WHERE org_id = $1 AND event_seq = ANY($2::bigint[])', [
    orgId,
    rows.map((row) => row.seq),
  ]);
  return dropped + rows.length;
}

/** The monthly partitions (migration 1's ensure_event_partitions names them events_YYYY_MM). */
const MONTH_PARTITION = /^events_(\d{4})_(\d{2})$/;

/**
 * Drops each month's partition that ends by `cutoff` and holds events of this organization
 * alone: what its rows' triggers would have done is done first (ids, webhook deliveries, hourly
 * counts, Merkle salts; the leaves and their hashes stay). A month shared with another
 * organization, or empty (kept made by ensure_event_partitions), is left to the row purge.
 * Answers how many events went.
 */
async function dropWholeMonths(client: Queryable, orgId: number, cutoff: number): Promise<number> {
  const { rows: partitions } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
  );
  let dropped = 0;
  for (const { name } of partitions) {
    const month = MONTH_PARTITION.exec(name);
    if (!month) continue;
    const from = Date.UTC(Number(month[1]), Number(month[2]) - 1, 1);
    const to = Date.UTC(Number(month[1]), Number(month[2]), 1);
    if (to > cutoff) continue;
    const table = `"${name}"`;
    const { rows } = await client.query<{ mine: number; others: boolean }>(
      `SELECT count(*) FILTER (WHERE org_id = $1)::bigint AS mine,
              EXISTS (SELECT 1 FROM ${table} WHERE org_id <> $1) AS others FROM ${table}`,
      [orgId],
    );
    const found = rows[0] as { mine: number; others: boolean };
    if (found.others || found.mine === 0) continue;
    await client.query(`DELETE FROM event_ids WHERE org_id = $1 AND id IN (SELECT id FROM ${table})`, [
      orgId,
    ]);
    await client.query(
      `DELETE FROM webhook_deliveries WHERE org_id = $1 AND event_seq IN (SELECT seq FROM ${table})`,
      [orgId],
    );
    await client.query(
      'DELETE FROM event_counts WHERE org_id = $1 AND hour >= event_hour($2) AND hour < event_hour($3)',
      [orgId, from, to],
    );
    await client.query(
      `UPDATE merkle_leaves SET salt = NULL
       WHERE org_id = $1 AND salt IS NOT NULL AND event_seq IN (SELECT seq FROM ${table})`,
      [orgId],
    );
    await client.query(`DROP TABLE ${table}`);
    dropped += found.mine;
  }
  return dropped;
}
