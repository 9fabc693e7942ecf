import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { WebhookFields } from '../../store/webhook-store.js';
import { generateSecret } from '../../webhooks/signature.js';
import { parseActionPatterns, parseWebhookUrl } from '../../webhooks/subscription.js';
import { notFound } from '../problem.js';
import { OrgParams } from '../schemas/common.js';
import {
  CreatedWebhookAnswer,
  CreateWebhookBody,
  DeliverySchema,
  NoContent,
  OneWebhookAnswer,
  UpdateWebhookBody,
  WebhookListAnswer,
  WebhookParams,
  WebhookSchema,
  webhookSchema,
} from '../schemas/webhooks.js';
import { registerWebhookActionRoutes } from './webhook-actions.js';
import { recordWebhookChange } from './webhook-audit.js';
import {
  categoriesOf,
  findWebhook,
  parsed,
  presentWebhook,
  WEBHOOKS_PATH,
  webhookAdmin,
} from './webhook-support.js';

/** Webhook subscriptions: organization owners and admins only; ingest tokens may not manage them. */
export function registerWebhookRoutes(app: FastifyInstance) {
  const { engine } = app.services;
  const { allowPrivate } = app.services.webhooks;
  app.addSchema(WebhookSchema);
  app.addSchema(DeliverySchema);

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    WEBHOOKS_PATH,
    {
      schema: webhookSchema(
        'Subscribe a URL to matching events; the signing secret is in this answer only',
        {
          params: OrgParams,
          body: CreateWebhookBody,
          response: { 201: CreatedWebhookAnswer },
        },
        [400, 401, 403, 404, 429, 503],
      ),
    },
    async (request, reply) => {
      const principal = webhookAdmin(request);
      const body = request.body;
      const fields = parsed(() => ({
        url: parseWebhookUrl(body.url, { allowPrivate }).href,
        format: body.format ?? 'json',
        patterns: parseActionPatterns(body.actions),
        categories: categoriesOf(body) ?? [],
        description: body.description ?? null,
      }));
      const secret = body.secret ?? generateSecret();
      const webhook = await engine.write(async (tx) => {
        const created = await tx.webhooks.create(principal.organization.id, fields, secret);
        await recordWebhookChange(tx, request, principal, 'created', created);
        return created;
      });
      reply.code(201).header('cache-control', 'no-store');
      reply.header('location', `/api/v1/organizations/${principal.organization.slug}/webhooks/${webhook.id}`);
      return { data: presentWebhook(webhook), secret };
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    WEBHOOKS_PATH,
    {
      schema: webhookSchema(
        "The organization's webhooks (never their secrets)",
        { params: OrgParams, response: { 200: WebhookListAnswer } },
        [401, 403, 404, 429],
      ),
    },
    async (request) => {
      const principal = webhookAdmin(request);
      const webhooks = await engine.stores.webhooks.list(principal.organization.id);
      return { data: webhooks.map(presentWebhook) };
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    `${WEBHOOKS_PATH}/:id`,
    {
      schema: webhookSchema(
        'One webhook',
        { params: WebhookParams, response: { 200: OneWebhookAnswer } },
        [401, 403, 404, 429],
      ),
    },
    async (request) => ({ data: presentWebhook(await findWebhook(app, request, webhookAdmin(request))) }),
  );

  app.withTypeProvider<TypeBoxTypeProvider>().patch(
    `${WEBHOOKS_PATH}/:id`,
    {
      schema: webhookSchema(
        'Change the URL, patterns, categories, format or description',
        { params: WebhookParams, body: UpdateWebhookBody, response: { 200: OneWebhookAnswer } },
        [400, 401, 403, 404, 429, 503],
      ),
    },
    async (request) => {
      const principal = webhookAdmin(request);
      const body = request.body;
      const changes = parsed(() => {
        const fields: Partial<WebhookFields> = {};
        if (body.url !== undefined) fields.url = parseWebhookUrl(body.url, { allowPrivate }).href;
        if (body.format !== undefined) fields.format = body.format;
        if (body.actions !== undefined) fields.patterns = parseActionPatterns(body.actions);
        const categories = categoriesOf(body);
        if (categories !== undefined) fields.categories = categories;
        if (body.description !== undefined) fields.description = body.description;
        return fields;
      });
      const { id } = request.params;
      const updated = await engine.write(async (tx) => {
        const result = await tx.webhooks.update(principal.organization.id, id, changes);
        if (result) await recordWebhookChange(tx, request, principal, 'updated', result.after, result.before);
        return result;
      });
      if (!updated) throw notFound(`no webhook "${id}"`);
      // The old URL may be a credential: it leaves the database files too.
      if (changes.url !== undefined && updated.before.url !== updated.after.url)
        await engine.forgetOverwritten();
      return { data: presentWebhook(updated.after) };
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().delete(
    `${WEBHOOKS_PATH}/:id`,
    {
      schema: webhookSchema(
        'Delete a webhook; its pending deliveries are not sent',
        { params: WebhookParams, response: { 204: NoContent } },
        [401, 403, 404, 429, 503],
      ),
    },
    async (request, reply) => {
      const principal = webhookAdmin(request);
      const { id } = request.params;
      const removed = await engine.write(async (tx) => {
        const webhook = await tx.webhooks.remove(principal.organization.id, id);
        if (webhook) await recordWebhookChange(tx, request, principal, 'deleted', webhook);
        return webhook;
      });
      if (!removed) throw notFound(`no webhook "${id}"`);
      await engine.forgetOverwritten();
      return reply.code(204).send(null);
    },
  );

  registerWebhookActionRoutes(app);
}
