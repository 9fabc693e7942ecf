import { randomBytes } from 'node:crypto';
import type { Category } from '../domain/categories.js';
import type { ActionPattern, WebhookFormat } from '../domain/webhook-rules.js';
import type { Db } from './database.js';
import { openSecret, sealSecret, webhookSecretLabel } from './secret-box.js';
import { forgottenUrl } from './secrets-at-rest.js';
import { writeTransaction } from './transaction.js';

export interface Webhook {
  rowId: number;
  id: string;
  orgId: number;
  url: string;
  format: WebhookFormat;
  patterns: ActionPattern[];
  categories: Category[];
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookFields {
  url: string;
  format: WebhookFormat;
  patterns: ActionPattern[];
  categories: Category[];
  description: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: number;
  eventId: string;
  action: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** A row of `webhooks` as both engines read it (WEBHOOK_COLUMNS). */
export interface WebhookRow {
  id: number;
  public_id: string;
  org_id: number;
  url: string;
  format: WebhookFormat;
  description: string | null;
  created_at: number;
  updated_at: number;
}

/** A delivery as both engines read it, its event's id and action joined in. */
export interface DeliveryRow {
  id: number;
  event_id: string;
  action: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export const WEBHOOK_COLUMNS = 'id, public_id, org_id, url, format, description, created_at, updated_at';

/** What a deleted webhook's pending deliveries end with: it is sent nothing more. */
export const DELETED_BEFORE_DELIVERY = 'webhook deleted before delivery';

/** A new webhook's public id. */
export const newWebhookId = (): string => `whk_${randomBytes(6).toString('hex')}`;

/** A webhook row with its patterns (in their order) and categories (sorted). */
export function toWebhook(row: WebhookRow, patterns: ActionPattern[], categories: Category[]): Webhook {
  return {
    rowId: row.id,
    id: row.public_id,
    orgId: row.org_id,
    url: row.url,
    format: row.format,
    patterns,
    categories,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A delivery row as the API lists it: only a pending delivery has a next attempt. */
export function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    action: row.action,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;

/** Webhook subscriptions of an organization and their delivery log, as the API manages them. */
export function createWebhookStore(db: Db, now: () => number) {
  const insert = db.prepare(`INSERT INTO webhooks (public_id, org_id, url, format, secret, description,
    created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const update = db.prepare(
    'UPDATE webhooks SET url = ?, format = ?, description = ?, updated_at = ? WHERE id = ?',
  );
  // The URL may be a credential (Slack, Discord, Teams) and the secret is one: neither outlives the webhook.
  const softDelete = db.prepare(
    "UPDATE webhooks SET deleted_at = ?, updated_at = ?, url = ?, secret = '' WHERE id = ?",
  );
  // A deleted webhook's queue is closed: nothing more is sent to it.
  const cancelPending = db.prepare(`UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
    last_error = ? WHERE webhook_id = ? AND status = 'pending'`);
  const selectLive = db.prepare<[number], WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = ? AND deleted_at IS NULL ORDER BY id`,
  );
  const selectOne = db.prepare<[number, string], WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = ? AND public_id = ? AND deleted_at IS NULL`,
  );
  const selectSecret = db.prepare<[number], string>('SELECT secret FROM webhooks WHERE id = ?').pluck();
  const selectPatterns = db.prepare<[number], { pattern: string; is_prefix: number }>(
    'SELECT pattern, is_prefix FROM webhook_patterns WHERE webhook_id = ? ORDER BY position',
  );
  const selectCategories = db
    .prepare<[number], Category>(
      'SELECT category FROM webhook_categories WHERE webhook_id = ? ORDER BY category',
    )
    .pluck();
  const clearPatterns = db.prepare('DELETE FROM webhook_patterns WHERE webhook_id = ?');
  const clearCategories = db.prepare('DELETE FROM webhook_categories WHERE webhook_id = ?');
  const insertPattern = db.prepare(
    'INSERT OR IGNORE INTO webhook_patterns (webhook_id, pattern, is_prefix, position) VALUES (?, ?, ?, ?)',
  );
  const insertCategory = db.prepare(
    'INSERT OR IGNORE INTO webhook_categories (webhook_id, category) VALUES (?, ?)',
  );
  const deliveryColumns = `d.id, e.id AS event_id, e.action, d.status, d.attempts, d.next_attempt_at, d.last_status,
    d.last_error, d.created_at, d.delivered_at FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq`;
  const selectDeliveries = db.prepare<[number, number], DeliveryRow>(
    `SELECT ${deliveryColumns} WHERE d.webhook_id = ? ORDER BY d.event_seq DESC LIMIT ?`,
  );
  const selectDeliveriesByStatus = db.prepare<[number, string, number], DeliveryRow>(
    `SELECT ${deliveryColumns} WHERE d.webhook_id = ? AND d.status = ? ORDER BY d.event_seq DESC LIMIT ?`,
  );

  const hydrate = (row: WebhookRow): Webhook =>
    toWebhook(
      row,
      selectPatterns.all(row.id).map((p) => ({ pattern: p.pattern, isPrefix: p.is_prefix === 1 })),
      selectCategories.all(row.id),
    );

  const writeFilters = (rowId: number, fields: Pick<WebhookFields, 'patterns' | 'categories'>) => {
    clearPatterns.run(rowId);
    clearCategories.run(rowId);
    for (const [position, { pattern, isPrefix }] of fields.patterns.entries()) {
      insertPattern.run(rowId, pattern, isPrefix ? 1 : 0, position);
    }
    for (const category of fields.categories) insertCategory.run(rowId, category);
  };

  const find = (orgId: number, id: string): Webhook | undefined => {
    const row = selectOne.get(orgId, id);
    return row ? hydrate(row) : undefined;
  };

  return {
    create(orgId: number, fields: WebhookFields, secret: string): Webhook {
      return writeTransaction(db, () => {
        const at = now();
        const id = newWebhookId();
        const sealed = sealSecret(db, webhookSecretLabel(id), secret);
        const result = insert.run(id, orgId, fields.url, fields.format, sealed, fields.description, at, at);
        writeFilters(Number(result.lastInsertRowid), fields);
        return find(orgId, id) as Webhook;
      });
    },

    list: (orgId: number): Webhook[] => selectLive.all(orgId).map(hydrate),

    find,

    secretOf: (webhook: Webhook): string =>
      openSecret(db, webhookSecretLabel(webhook.id), selectSecret.get(webhook.rowId) as string),

    /** Applies the given fields; answers the webhook before and after, or undefined when unknown. */
    update(orgId: number, id: string, changes: Partial<WebhookFields>) {
      return writeTransaction(db, () => {
        const before = find(orgId, id);
        if (!before) return undefined;
        const next = { ...before, ...changes };
        update.run(next.url, next.format, next.description, now(), before.rowId);
        if (changes.patterns || changes.categories) writeFilters(before.rowId, next);
        return { before, after: find(orgId, id) as Webhook };
      });
    },

    /**
     * Soft delete: the row stays, with its URL cut to the origin and no secret, for the delivery
     * log; pending deliveries are not sent. The caller then asks the engine to forget overwritten
     * values (Engine.forgetOverwritten), so the old values leave the files too.
     */
    remove(orgId: number, id: string): Webhook | undefined {
      return writeTransaction(db, () => {
        const webhook = find(orgId, id);
        if (!webhook) return undefined;
        const at = now();
        softDelete.run(at, at, forgottenUrl(webhook.url), webhook.rowId);
        cancelPending.run(DELETED_BEFORE_DELIVERY, webhook.rowId);
        return webhook;
      });
    },

    /** The webhook's most recent deliveries, newest first. */
    deliveries(webhook: Webhook, options: { status?: DeliveryStatus; limit: number }): DeliveryRecord[] {
      const rows = options.status
        ? selectDeliveriesByStatus.all(webhook.rowId, options.status, options.limit)
        : selectDeliveries.all(webhook.rowId, options.limit);
      return rows.map(toDeliveryRecord);
    },
  };
}
