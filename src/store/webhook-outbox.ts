import { CHECKPOINT_SIGNED } from '../domain/checkpoint-record.js';
import type { Db } from './database.js';

/**
 * Queues the webhook deliveries of one ingest batch: for each new event (every seq from the
 * batch's first; the transaction holds the write lock), a delivery per live webhook of its
 * organization whose patterns and categories match. Called inside the batch's transaction, so an
 * acknowledged event always has its alerts queued, whichever process wrote it (every writer goes
 * through the event store). Detailed-only access events go only to a webhook that names them: the
 * access category, an exact action, or a prefix that starts with 'access.'.
 *
 * One statement per batch rather than a per-row trigger: a trigger cost about
 * 50 µs for every event inserted, with or without webhooks.
 */
export function createOutboxWriter(db: Db): (orgId: number, firstSeq: number) => void {
  const hasLiveWebhook = db
    .prepare<[number]>('SELECT 1 FROM webhooks WHERE org_id = ? AND deleted_at IS NULL LIMIT 1')
    .pluck();
  const queue = db.prepare<[number, number]>(`
    INSERT INTO webhook_deliveries (webhook_id, event_seq, next_attempt_at, created_at)
    SELECT w.id, e.seq, e.received_at, e.received_at
    FROM events e JOIN webhooks w ON w.org_id = e.org_id AND w.deleted_at IS NULL
    WHERE e.seq >= ? AND e.org_id = ?
      AND (NOT EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id)
        OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = e.category))
      AND EXISTS (
        SELECT 1 FROM webhook_patterns p
        WHERE p.webhook_id = w.id
          AND CASE WHEN p.is_prefix = 0 THEN p.pattern = e.action
            ELSE substr(e.action, 1, length(p.pattern)) = p.pattern AND e.action <> '${CHECKPOINT_SIGNED}'
              AND (e.category <> 'access' OR substr(p.pattern, 1, 7) = 'access.'
                OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = 'access'))
          END
      )
    ORDER BY e.seq, w.id`);
  return (orgId, firstSeq) => {
    if (hasLiveWebhook.get(orgId) !== undefined) queue.run(firstSeq, orgId);
  };
}
