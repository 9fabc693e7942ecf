import { inMaintenanceWindow, inOpenMaintenanceWindow } from './maintenance.js';
import type { PgClient, PgPool, Queryable } from './pool.js';

/**
 * The retention purge of one organization, row by row (whole months by partition DROP come with
 * plan step 9). Inside the maintenance window (maintenance.ts); the ids go
 * from event_ids too, so an id purged may be sent again, as on SQLite; and the purge's record is
 * written by `audit` in the same transaction when it removed any (on `client`, e.g. with
 * ingestInTransaction).
 */
export function createPgRetention(pool: PgPool) {
  return {
    async purgeBefore(
      orgId: number,
      cutoff: number,
      audit: (purged: number, client: PgClient) => Promise<void> | void = () => {},
    ): Promise<number> {
      return inMaintenanceWindow(pool, orgId, async (client) => {
        const purged = await deleteBefore(client, orgId, cutoff);
        if (purged > 0) await audit(purged, client);
        return purged;
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
  const { rows } = await client.query<{ id: string; seq: number }>(
    'DELETE FROM events WHERE org_id = $1 AND ts < $2 RETURNING id, seq',
    [orgId, cutoff],
  );
  if (rows.length === 0) return 0;
  await client.query('DELETE FROM event_ids WHERE org_id = $1 AND id = ANY($2::text[])', [
    orgId,
    rows.map((row) => row.id),
  ]);
  await client.query('DELETE FROM webhook_deliveries WHERE org_id = $1 AND event_seq = ANY($2::bigint[])', [
    orgId,
    rows.map((row) => row.seq),
  ]);
  return rows.length;
}
