import type { FastifyRequest } from 'fastify';
import type { JsonObject } from '../../domain/event.js';
import type { WriteScope } from '../../store/port.js';
import type { Webhook } from '../../store/webhook-store.js';
import { formatPatterns, urlOrigin } from '../../webhooks/subscription.js';
import type { Principal } from '../permissions.js';
import { userActor } from '../server-actor.js';

const FORMAT_NAMES = { json: 'JSON', slack: 'Slack', discord: 'Discord', teams: 'Teams' } as const;

/**
 * One `settings.integration_updated` event per change. The URL may itself be a credential (a
 * Slack or Discord webhook URL is), so only its scheme and host are written down; never the
 * secret. Called inside the change's transaction: the change and its record commit together.
 */
export async function recordWebhookChange(
  tx: WriteScope,
  request: FastifyRequest,
  principal: Principal,
  change: 'created' | 'updated' | 'deleted',
  webhook: Webhook,
  before?: Webhook,
): Promise<void> {
  const { user } = principal;
  const host = new URL(webhook.url).host;
  const kind = `${FORMAT_NAMES[webhook.format]} webhook`;
  await tx.recorder.record(principal.organization.id, [
    {
      action: 'settings.integration_updated',
      description: `${user.name || user.email} ${change} the ${kind} integration to ${host}`,
      actor: userActor(user),
      target: { type: 'webhook', id: webhook.id, name: `${kind} to ${host}` },
      context: {
        ip_address: request.ip,
        user_agent: request.headers['user-agent'],
        team_id: user.team?.publicId,
        team_name: user.team?.name,
      },
      changes: before ? changesBetween(before, webhook) : null,
      metadata: {
        change,
        webhook_id: webhook.id,
        url_origin: urlOrigin(webhook.url),
        format: webhook.format,
        actions: formatPatterns(webhook.patterns),
        categories: webhook.categories,
      },
    },
  ]);
}

/** Old and new of what changed; a new URL on the same host shows as the same origin twice. */
function changesBetween(before: Webhook, after: Webhook): JsonObject {
  const changes: JsonObject = {};
  const add = (key: string, old: string | string[] | null, next: string | string[] | null) => {
    if (JSON.stringify(old) !== JSON.stringify(next)) changes[key] = { old, new: next };
  };
  if (before.url !== after.url)
    changes.url_origin = { old: urlOrigin(before.url), new: urlOrigin(after.url) };
  add('format', before.format, after.format);
  add('actions', formatPatterns(before.patterns), formatPatterns(after.patterns));
  add('categories', before.categories, after.categories);
  add('description', before.description, after.description);
  return changes;
}
