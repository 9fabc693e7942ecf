import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEvent } from '../../domain/event.js';
import { normalizeEvent } from '../../domain/normalize.js';
import { newEventId } from '../../domain/ulid.js';
import type { DeliveryRecord, Webhook } from '../../store/webhook-store.js';
import { buildOutgoing } from '../../webhooks/message.js';
import { maskUrl } from '../../webhooks/subscription.js';
import type { Principal } from '../permissions.js';
import {
  DeliveriesQuery,
  DeliveryListAnswer,
  TestResultSchema,
  WebhookParams,
  webhookSchema,
} from '../schemas/webhooks.js';
import { userActor } from '../server-actor.js';
import { findWebhook, WEBHOOKS_PATH, webhookAdmin } from './webhook-support.js';

/** Trying a webhook out, and reading its delivery log. */
export function registerWebhookActionRoutes(app: FastifyInstance) {
  const { now } = app.services;
  const { worker } = app.services.webhooks;
  const { webhooks } = app.services.engine.stores;

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    `${WEBHOOKS_PATH}/:id/test`,
    {
      schema: webhookSchema(
        "Send a sample event now, signed, in the webhook's format; answers with the receiver's status and timing",
        { params: WebhookParams, response: { 200: TestResultSchema } },
        [401, 403, 404, 429],
      ),
    },
    async (request) => {
      const principal = webhookAdmin(request);
      const webhook = await findWebhook(app, request, principal);
      const event = sampleEvent(request, principal, webhook, now());
      const target = {
        ...webhook,
        secret: await webhooks.secretOf(webhook),
        organization: principal.organization.slug,
      };
      const deliveryId = `test_${randomBytes(6).toString('hex')}`;
      // A connection failure is an answer about the receiver, not an error of this API: 200.
      const result = await worker.sender.send(buildOutgoing(target, event, deliveryId, now()));
      return {
        data: {
          status: result.status,
          body: result.body,
          duration_ms: result.durationMs,
          error: result.error,
          event_id: event.id,
        },
      };
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    `${WEBHOOKS_PATH}/:id/deliveries`,
    {
      schema: webhookSchema(
        "The webhook's recent deliveries, newest first",
        {
          params: WebhookParams,
          querystring: DeliveriesQuery,
          response: { 200: DeliveryListAnswer },
        },
        [400, 401, 403, 404, 429],
      ),
    },
    async (request) => {
      const webhook = await findWebhook(app, request, webhookAdmin(request));
      const query = request.query;
      const deliveries = await webhooks.deliveries(webhook, {
        status: query.status,
        limit: query.per_page ?? 50,
      });
      return { data: deliveries.map(presentDelivery) };
    },
  );
}

/** A realistic event for a test send; it is not stored. */
function sampleEvent(
  request: FastifyRequest,
  principal: Principal,
  webhook: Webhook,
  at: number,
): AuditEvent {
  const { user } = principal;
  return normalizeEvent(
    {
      action: 'audit.webhook_test',
      description: `Test delivery to webhook ${webhook.id}, sent by ${user.name || user.email}`,
      actor: userActor(user),
      target: { type: 'webhook', id: webhook.id, name: maskUrl(webhook.url) },
      context: {
        ip_address: request.ip,
        user_agent: request.headers['user-agent'],
        team_id: user.team?.publicId,
        team_name: user.team?.name,
      },
      metadata: { test: true },
    },
    { receivedAt: at, newId: newEventId },
  );
}

function presentDelivery(delivery: DeliveryRecord) {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    action: delivery.action,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    created_at: new Date(delivery.createdAt).toISOString(),
    delivered_at: iso(delivery.deliveredAt),
    next_attempt_at: iso(delivery.nextAttemptAt),
  };
}
