import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Category } from '../../domain/categories.js';
import type { Webhook } from '../../store/webhook-store.js';
import { formatPatterns, maskUrl, parseCategories, SubscriptionError } from '../../webhooks/subscription.js';
import { assertOrganizationReader, type Principal } from '../permissions.js';
import { invalidParameter, notFound } from '../problem.js';
import { organizationFor } from '../route-helpers.js';

export const WEBHOOKS_PATH = '/api/v1/organizations/:org/webhooks';

/** The caller, if an organization owner or admin with a read token; anyone else is refused. */
export function webhookAdmin(request: FastifyRequest): Principal {
  const principal = organizationFor(request, (request.params as { org: string }).org);
  assertOrganizationReader(principal, 'managing webhooks');
  return principal;
}

/** The webhook the request names, of the caller's organization; a 404 when there is none. */
export async function findWebhook(
  app: FastifyInstance,
  request: FastifyRequest,
  principal: Principal,
): Promise<Webhook> {
  const { id } = request.params as { id: string };
  const webhook = await app.services.engine.stores.webhooks.find(principal.organization.id, id);
  if (!webhook) throw notFound(`no webhook "${id}"`);
  return webhook;
}

/** A webhook as the API shows it: no secret, and the URL masked (it may be a credential). */
export function presentWebhook(webhook: Webhook) {
  return {
    id: webhook.id,
    url: maskUrl(webhook.url),
    format: webhook.format,
    actions: formatPatterns(webhook.patterns),
    categories: webhook.categories,
    description: webhook.description,
    created_at: new Date(webhook.createdAt).toISOString(),
    updated_at: new Date(webhook.updatedAt).toISOString(),
  };
}

/** Runs a parse of the caller's input; a SubscriptionError becomes a 400 naming the field. */
export function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SubscriptionError) throw invalidParameter(error.field, error.message);
    throw error;
  }
}

/**
 * The categories a create or update asked for, parsed: `categories` is the documented name (the
 * one answers use), `category` its earlier spelling, still accepted; both at once is ambiguous.
 * Undefined when neither is given.
 */
export function categoriesOf(body: {
  categories?: string | string[];
  category?: string | string[];
}): Category[] | undefined {
  if (body.categories !== undefined && body.category !== undefined) {
    throw invalidParameter('categories', 'give categories or its older spelling category, not both');
  }
  if (body.categories !== undefined) return parsed(() => parseCategories(body.categories, 'categories'));
  if (body.category !== undefined) return parsed(() => parseCategories(body.category, 'category'));
  return undefined;
}
