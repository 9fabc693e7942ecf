import type { AuditEvent } from '../domain/event.js';
import type { WebhookFormat } from '../domain/webhook-rules.js';
import type { Db } from './database.js';
import { EVENT_COLUMNS, type EventRow, rowToEvent } from './event-rows.js';
import { openSecret, webhookSecretLabel } from './secret-box.js';
import { writeTransaction } from './transaction.js';

/** A pending delivery the worker holds a lease on, with all it needs to send it. */
export interface ClaimedDelivery {
  id: number;
  webhookRowId: number;
  attempts: number;
  url: string;
  format: WebhookFormat;
  secret: string;
  organization: string;
  event: AuditEvent;
}

type ClaimRow = EventRow & {
  delivery_id: number;
  delivery_attempts: number;
  webhook_row_id: number;
  webhook_public_id: string;
  webhook_url: string;
  webhook_format: WebhookFormat;
  webhook_secret: string;
  org_slug: string;
};

export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;

/**
 * The worker's side of the outbox. Claiming a delivery moves its next attempt past the send
 * timeout (a lease) in a write transaction, so a second server on the same file, or a later
 * tick, never sends it while it is in flight; a crash mid-send lets the lease run out and the
 * delivery is sent again: at least once.
 */
export function createDeliveryQueue(db: Db) {
  const dueWebhooks = db
    .prepare<[number], number>(
      `SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?`,
    )
    .pluck();
  const dueOfWebhook = db
    .prepare<[number, number, number], number>(
      `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.webhook_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ? AND w.deleted_at IS NULL
       ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    )
    .pluck();
  const lease = db.prepare(
    `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
  );
  const eventColumns = EVENT_COLUMNS.split(', ')
    .map((column) => `e.${column}`)
    .join(', ');
  const selectClaim = db.prepare<[number], ClaimRow>(
    `SELECT ${eventColumns}, d.id AS delivery_id, d.attempts AS delivery_attempts, w.id AS webhook_row_id,
       w.public_id AS webhook_public_id, w.url AS webhook_url, w.format AS webhook_format, w.secret AS webhook_secret, o.slug AS org_slug
     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq
       JOIN organizations o ON o.id = e.org_id
     WHERE d.id = ?`,
  );
  const markDelivered =
    db.prepare(`UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1,
    next_attempt_at = NULL, last_status = ?, last_error = NULL, delivered_at = ? WHERE id = ? AND status = 'pending'`);
  const markRetry = db.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?,
    last_status = ?, last_error = ? WHERE id = ? AND status = 'pending'`);
  const markFailed = db.prepare(`UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1,
    next_attempt_at = NULL, last_status = ?, last_error = ? WHERE id = ? AND status = 'pending'`);
  const release = db.prepare(
    `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`,
  );

  return {
    /** Webhooks with deliveries due now. */
    dueWebhooks: (now: number): number[] => dueWebhooks.all(now),

    /** Leases up to `limit` due deliveries of one webhook until `leaseUntil`; oldest first. */
    claim(webhookRowId: number, now: number, limit: number, leaseUntil: number): ClaimedDelivery[] {
      if (limit <= 0) return [];
      const ids = writeTransaction(db, () =>
        dueOfWebhook
          .all(webhookRowId, now, limit)
          .filter((id) => lease.run(leaseUntil, id, now).changes === 1),
      );
      return ids.flatMap((id) => {
        const row = selectClaim.get(id);
        // Deleted since the lease (another process): its secret is gone, and so is the delivery.
        if (!row || row.webhook_secret === '') return [];
        return [
          {
            id: row.delivery_id,
            webhookRowId: row.webhook_row_id,
            attempts: row.delivery_attempts,
            url: row.webhook_url,
            format: row.webhook_format,
            secret: openSecret(db, webhookSecretLabel(row.webhook_public_id), row.webhook_secret),
            organization: row.org_slug,
            event: rowToEvent(row),
          },
        ];
      });
    },

    delivered(id: number, status: number, at: number): void {
      writeTransaction(db, () => markDelivered.run(status, at, id));
    },

    retryAt(id: number, at: number, status: number | null, error: string): void {
      writeTransaction(db, () => markRetry.run(at, status, error, id));
    },

    failed(id: number, status: number | null, error: string): void {
      writeTransaction(db, () => markFailed.run(status, error, id));
    },

    /** Gives leases back (a clean shutdown): those deliveries are due again at once. */
    release(ids: readonly number[], now: number): void {
      if (ids.length === 0) return;
      writeTransaction(db, () => {
        for (const id of ids) release.run(now, id);
      });
    },
  };
}
