import { CHECKPOINT_SIGNED } from '../../domain/checkpoint-record.js';
import type { PgClient } from './pool.js';

/**
 * src/store/webhook-outbox.ts on PostgreSQL: the webhook deliveries of one ingest batch, queued
 * in the batch's own transaction (an acknowledged event never loses its alert), one statement
 * for the batch. The batch's events are the organization's from `firstSeq` on: the transaction
 * holds the organization's positions, so no other writer adds any meanwhile.
 */
const QUEUE_SQL = `
  INSERT INTO webhook_deliveries (org_id, webhook_id, event_seq, event_ts, next_attempt_at, created_at)
  SELECT e.org_id, w.id, e.seq, e.ts, e.received_at, e.received_at
  FROM events e JOIN webhooks w ON w.org_id = e.org_id AND w.deleted_at IS NULL
  WHERE e.org_id = $1 AND e.seq >= $2
    AND (NOT EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id)
      OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = e.category))
    AND EXISTS (
      SELECT 1 FROM webhook_patterns p
      WHERE p.webhook_id = w.id
        AND CASE WHEN NOT p.is_prefix THEN p.pattern = e.action
          ELSE left(e.action, length(p.pattern)) = p.pattern AND e.action <> '${CHECKPOINT_SIGNED}'
            AND (e.category <> 'access' OR left(p.pattern, 7) = 'access.'
              OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = 'access'))
        END
    )
  ORDER BY e.seq, w.id`;

export async function queueWebhookDeliveries(
  client: PgClient,
  orgId: number,
  firstSeq: number,
): Promise<void> {
  const live = await client.query('SELECT 1 FROM webhooks WHERE org_id = $1 AND deleted_at IS NULL LIMIT 1', [
    orgId,
  ]);
  if (live.rows.length > 0) await client.query(QUEUE_SQL, [orgId, firstSeq]);
}
