import type { Category } from '../../domain/categories.js';
import type { ActionPattern } from '../../domain/webhook-rules.js';
import type { Async } from '../port.js';
import { openWithKey, sealWithKey, webhookSecretLabel } from '../secret-box.js';
import { forgottenUrl } from '../secrets-at-rest.js';
import {
  DELETED_BEFORE_DELIVERY,
  type DeliveryRow,
  type DeliveryStatus,
  newWebhookId,
  toDeliveryRecord,
  toWebhook,
  WEBHOOK_COLUMNS,
  type Webhook,
  type WebhookFields,
  type WebhookRow,
  type WebhookStore,
} from '../webhook-store.js';
import type { Transact } from './directory.js';
import type { Queryable } from './pool.js';
import { escapeNullable, escapeText, unescapeText as sent } from './text-escape.js';

const SELECT_ONE = `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND public_id = $2 AND deleted_at IS NULL`;
const SELECT_LIVE = `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id`;
const DELIVERIES = `SELECT d.id, e.id AS event_id, e.action, d.status, d.attempts, d.next_attempt_at, d.last_status,
    d.last_error, d.created_at, d.delivered_at
  FROM webhook_deliveries d JOIN events e ON e.org_id = d.org_id AND e.ts = d.event_ts AND e.seq = d.event_seq
  WHERE d.org_id = $1 AND d.webhook_id = $2`;

/**
 * src/store/webhook-store.ts on PostgreSQL: the same answers for the same calls. Every lookup
 * names the organization, so one organization never reaches another's webhook by its id. An
 * update or delete locks the row it read (FOR UPDATE), so a delete that commits meanwhile is
 * seen: a deleted webhook never gets its URL back. Secrets are sealed under the secrets key
 * every instance shares, with the webhook's public id as label. Text goes through text-escape.ts.
 */
export function createPgWebhooks(
  db: Queryable,
  transact: Transact,
  now: () => number,
  secretsKey: () => Buffer,
): Async<WebhookStore> {
  async function hydrate(q: Queryable, rows: WebhookRow[]): Promise<Webhook[]> {
    const [first] = rows;
    if (!first) return [];
    const params = [first.org_id, rows.map((row) => row.id)];
    const patterns = await q.query<{ webhook_id: number; pattern: string; is_prefix: boolean }>(
      `SELECT webhook_id, pattern, is_prefix FROM webhook_patterns
       WHERE org_id = $1 AND webhook_id = ANY($2::bigint[]) ORDER BY webhook_id, position`,
      params,
    );
    const categories = await q.query<{ webhook_id: number; category: Category }>(
      `SELECT webhook_id, category FROM webhook_categories
       WHERE org_id = $1 AND webhook_id = ANY($2::bigint[]) ORDER BY webhook_id, category`,
      params,
    );
    return rows.map((row) =>
      toWebhook(
        { ...row, url: sent(row.url), description: row.description === null ? null : sent(row.description) },
        patterns.rows
          .filter((p) => p.webhook_id === row.id)
          .map((p) => ({ pattern: sent(p.pattern), isPrefix: p.is_prefix })),
        categories.rows.filter((c) => c.webhook_id === row.id).map((c) => c.category),
      ),
    );
  }

  /** The organization's live webhook of that id; `lock`: held until the transaction ends. */
  async function findOn(q: Queryable, orgId: number, id: string, lock = false): Promise<Webhook | undefined> {
    const { rows } = await q.query<WebhookRow>(lock ? `${SELECT_ONE} FOR UPDATE` : SELECT_ONE, [
      orgId,
      escapeText(id),
    ]);
    return (await hydrate(q, rows))[0];
  }

  async function writeFilters(
    q: Queryable,
    webhook: { orgId: number; rowId: number },
    fields: Pick<WebhookFields, 'patterns' | 'categories'>,
  ): Promise<void> {
    const key = [webhook.orgId, webhook.rowId];
    await q.query('DELETE FROM webhook_patterns WHERE org_id = $1 AND webhook_id = $2', key);
    await q.query('DELETE FROM webhook_categories WHERE org_id = $1 AND webhook_id = $2', key);
    // A repeated pattern or category is stored once, at its first position (SQLite's INSERT OR IGNORE).
    await q.query(
      `INSERT INTO webhook_patterns (org_id, webhook_id, pattern, is_prefix, position)
       SELECT $1, $2, p.pattern, p.is_prefix, p.ordinality - 1
       FROM unnest($3::text[], $4::boolean[]) WITH ORDINALITY AS p (pattern, is_prefix, ordinality)
       ON CONFLICT DO NOTHING`,
      [
        ...key,
        fields.patterns.map((p: ActionPattern) => escapeText(p.pattern)),
        fields.patterns.map((p) => p.isPrefix),
      ],
    );
    await q.query(
      `INSERT INTO webhook_categories (org_id, webhook_id, category)
       SELECT $1, $2, category FROM unnest($3::text[]) AS category ON CONFLICT DO NOTHING`,
      [...key, fields.categories],
    );
  }

  return {
    create: (orgId: number, fields: WebhookFields, secret: string) => {
      const id = newWebhookId();
      const sealed = sealWithKey(secretsKey(), webhookSecretLabel(id), secret);
      return transact(async (q) => {
        const at = now();
        const { rows } = await q.query<{ id: number }>(
          `INSERT INTO webhooks (public_id, org_id, url, format, secret, description, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
          [id, orgId, escapeText(fields.url), fields.format, sealed, escapeNullable(fields.description), at],
        );
        await writeFilters(q, { orgId, rowId: (rows[0] as { id: number }).id }, fields);
        return (await findOn(q, orgId, id)) as Webhook;
      });
    },

    list: async (orgId: number) => hydrate(db, (await db.query<WebhookRow>(SELECT_LIVE, [orgId])).rows),

    find: (orgId: number, id: string) => findOn(db, orgId, id),

    async secretOf(webhook: Webhook): Promise<string> {
      const { rows } = await db.query<{ secret: string }>(
        'SELECT secret FROM webhooks WHERE id = $1 AND org_id = $2',
        [webhook.rowId, webhook.orgId],
      );
      return openWithKey(secretsKey(), webhookSecretLabel(webhook.id), rows[0]?.secret ?? '');
    },

    update: (orgId: number, id: string, changes: Partial<WebhookFields>) =>
      transact(async (q) => {
        const before = await findOn(q, orgId, id, true);
        if (!before) return undefined;
        const next = { ...before, ...changes };
        await q.query(
          'UPDATE webhooks SET url = $1, format = $2, description = $3, updated_at = $4 WHERE id = $5',
          [escapeText(next.url), next.format, escapeNullable(next.description), now(), before.rowId],
        );
        if (changes.patterns || changes.categories) await writeFilters(q, before, next);
        return { before, after: (await findOn(q, orgId, id)) as Webhook };
      }),

    remove: (orgId: number, id: string) =>
      transact(async (q) => {
        const webhook = await findOn(q, orgId, id, true);
        if (!webhook) return undefined;
        // The URL may be a credential (Slack, Discord, Teams) and the secret is one: neither outlives the webhook.
        await q.query(
          "UPDATE webhooks SET deleted_at = $1, updated_at = $1, url = $2, secret = '' WHERE id = $3",
          [now(), escapeText(forgottenUrl(webhook.url)), webhook.rowId],
        );
        await q.query(
          `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, leased_until = NULL,
             last_error = $1 WHERE webhook_id = $2 AND status = 'pending'`,
          [DELETED_BEFORE_DELIVERY, webhook.rowId],
        );
        return webhook;
      }),

    async deliveries(webhook: Webhook, options: { status?: DeliveryStatus; limit: number }) {
      const params: unknown[] = [webhook.orgId, webhook.rowId, options.limit];
      if (options.status) params.push(options.status);
      const { rows } = await db.query<DeliveryRow>(
        `${DELIVERIES}${options.status ? ' AND d.status = $4' : ''} ORDER BY d.event_seq DESC LIMIT $3`,
        params,
      );
      return rows.map((row) =>
        toDeliveryRecord({
          ...row,
          event_id: sent(row.event_id),
          action: sent(row.action),
          last_error: row.last_error === null ? null : sent(row.last_error),
        }),
      );
    },
  };
}
