-- The webhook worker's poll (src/store/pg/delivery-queue.ts dueWebhooks), run by every instance
-- twice a second: the pending deliveries alone, so an idle poll reads one index page however
-- many deliveries were ever sent (webhook_deliveries_webhook_due leads with webhook_id and walks
-- the whole history: 1,602 pages and 1.7 ms at 2 million delivered, 1 page and 0.02 ms here).
-- SQLite's webhook_deliveries_due (../0001-initial.sql) does the same there.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at, webhook_id)
  WHERE status = 'pending';
