import type { WebhookFormat } from '../../domain/webhook-rules.js';
import type { ClaimedDelivery } from '../delivery-queue.js';
import { EVENT_COLUMNS, pgValuesToStoredEvent } from './event-rows.js';
import type { Queryable } from './pool.js';
import { escapeText, unescapeText } from './text-escape.js';

/**
 * src/store/delivery-queue.ts on PostgreSQL, for several instances on one database: a claim
 * locks the due deliveries it takes with FOR UPDATE SKIP LOCKED and moves their next attempt
 * past the send timeout (the lease) in one statement, so two instances claiming at once take
 * different deliveries and none is in flight twice; a crash mid-send lets the lease run out and
 * the delivery is sent again (at least once, as on SQLite). Same methods, async; the secret is
 * opened by the caller's `openSecret` (the secrets key file every instance shares).
 */

/** Opens a webhook's sealed secret (its public id names the label it was sealed under). */
export type OpenWebhookSecret = (webhookPublicId: string, sealed: string) => string;

const CLAIM_SQL = `WITH due AS (
    SELECT d.id, d.next_attempt_at AS due_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.webhook_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 AND w.deleted_at IS NULL
    ORDER BY d.next_attempt_at, d.id LIMIT $3
    FOR UPDATE OF d SKIP LOCKED
  )
  UPDATE webhook_deliveries d SET next_attempt_at = $4, leased_until = $4
  FROM due WHERE d.id = due.id
  RETURNING d.id, due.due_at`;

const CLAIMED_SQL = `SELECT ${EVENT_COLUMNS.split(', ')
  .map((column) => `e.${column}`)
  .join(', ')}, d.id, d.attempts, w.id, w.public_id, w.url, w.format, w.secret, o.slug
  FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
    JOIN events e ON e.org_id = d.org_id AND e.ts = d.event_ts AND e.seq = d.event_seq
    JOIN organizations o ON o.id = d.org_id
  WHERE d.id = ANY($1::bigint[]) ORDER BY array_position($1::bigint[], d.id)`;

const EVENT_WIDTH = EVENT_COLUMNS.split(', ').length;

export function createPgDeliveryQueue(db: Queryable, openSecret: OpenWebhookSecret) {
  return {
    /** Webhooks with deliveries due now. */
    async dueWebhooks(now: number): Promise<number[]> {
      const { rows } = await db.query<{ webhook_id: number }>(
        `SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY webhook_id`,
        [now],
      );
      return rows.map((row) => row.webhook_id);
    },

    /** Leases up to `limit` due deliveries of one webhook until `leaseUntil`; oldest first. */
    async claim(
      webhookRowId: number,
      now: number,
      limit: number,
      leaseUntil: number,
    ): Promise<ClaimedDelivery[]> {
      if (limit <= 0) return [];
      const leased = await db.query<{ id: number; due_at: number }>(CLAIM_SQL, [
        webhookRowId,
        now,
        limit,
        leaseUntil,
      ]);
      if (leased.rows.length === 0) return [];
      // Oldest first, as they were due (RETURNING has no order of its own).
      leased.rows.sort((a, b) => a.due_at - b.due_at || a.id - b.id);
      const { rows } = await db.query<unknown[]>({
        text: CLAIMED_SQL,
        values: [leased.rows.map((row) => row.id)],
        rowMode: 'array',
      });
      return rows.flatMap((row) => {
        const [id, attempts, webhookRowId, publicId, url, format, sealed, slug] = row.slice(EVENT_WIDTH) as [
          number,
          number,
          number,
          string,
          string,
          WebhookFormat,
          string,
          string,
        ];
        // Deleted since the lease (another instance): its secret is gone, and so is the delivery.
        if (sealed === '') return [];
        const event = pgValuesToStoredEvent(row.slice(0, EVENT_WIDTH)).event;
        return [
          {
            id,
            webhookRowId,
            attempts,
            url: unescapeText(url),
            format,
            secret: openSecret(publicId, sealed),
            organization: unescapeText(slug),
            event,
          },
        ];
      });
    },

    async delivered(id: number, status: number, at: number): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL,
          leased_until = NULL, last_status = $1, last_error = NULL, delivered_at = $2 WHERE id = $3 AND status = 'pending'`,
        [status, at, id],
      );
    },

    async retryAt(id: number, at: number, status: number | null, error: string): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1, leased_until = NULL,
          last_status = $2, last_error = $3 WHERE id = $4 AND status = 'pending'`,
        [at, status, escapeText(error), id],
      );
    },

    async failed(id: number, status: number | null, error: string): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, next_attempt_at = NULL,
          leased_until = NULL, last_status = $1, last_error = $2 WHERE id = $3 AND status = 'pending'`,
        [status, escapeText(error), id],
      );
    },

    /** Gives leases back (a clean shutdown): those deliveries are due again at once. */
    async release(ids: readonly number[], now: number): Promise<void> {
      if (ids.length === 0) return;
      await db.query(
        `UPDATE webhook_deliveries SET next_attempt_at = $1, leased_until = NULL
         WHERE id = ANY($2::bigint[]) AND status = 'pending'`,
        [now, ids],
      );
    },
  };
}
