import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseListQuery, searchRateCost } from '../list-query.js';
import { visibilityOf } from '../permissions.js';
import { notFound } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { OneEventAnswer } from '../schemas/event.js';
import { EventParams, type ListQuery, ListQuerySchema, ListResponseSchema } from '../schemas/list.js';
import { treeSizeSeq } from '../tree-access.js';
import { type ExportRouteOptions, registerExportRoute } from './export.js';
import { registerIngestRoute } from './ingest.js';
import { registerReviewRoute } from './review.js';

export function registerAuditLogRoutes(app: FastifyInstance, options: ExportRouteOptions) {
  const { now, cursors, engine } = app.services;
  const { events } = engine.stores;

  const listSchema = {
    tags: ['audit-logs'],
    querystring: ListQuerySchema,
    response: { 200: ListResponseSchema, ...problemResponses(400, 401, 403, 404, 429, 503) },
  };

  const answerList = async (request: FastifyRequest, reply: FastifyReply, slug?: string) => {
    const principal = organizationFor(request, slug);
    const scope = visibilityOf(principal);
    const orgId = principal.organization.id;
    const query = request.query as ListQuery;
    const listRequest = await parseListQuery(query, { principal, scope, now: now(), events, cursors });
    const pageRequest =
      listRequest.afterSeq === undefined
        ? {
            order: listRequest.order,
            limit: listRequest.perPage,
            cursor: listRequest.cursor,
            offset: listRequest.offset,
          }
        : { afterSeq: listRequest.afterSeq, limit: listRequest.perPage };
    const { tree_size: treeSize } = query;
    // With tree_size, the tree's bound and the page are read together (engine.read); they
    // agree even without one snapshot, as a sealed size's bound never moves.
    const page =
      treeSize === undefined
        ? await events.pageJson(orgId, listRequest.filter, scope, pageRequest)
        : await engine.read(async (stores) => {
            listRequest.filter.maxSeq = await treeSizeSeq(principal, stores.merkle, treeSize);
            return stores.events.pageJson(orgId, listRequest.filter, scope, pageRequest);
          });
    const { last } = page;
    const nextCursor =
      page.hasMore && last && listRequest.afterSeq === undefined
        ? cursors.encode(orgId, { order: listRequest.order, timestamp: last.ts, seq: last.seq })
        : null;
    if (page.hasMore && last) reply.header('link', nextLink(request, query, nextCursor, last.id));
    const pagination = { per_page: listRequest.perPage, next_cursor: nextCursor, has_more: page.hasMore };
    // The events are JSON already (EVENT_JSON, made by SQLite): the answer is their join, sent
    // as it is; the response schema still documents it in /openapi.json.
    return reply
      .type('application/json; charset=utf-8')
      .send(`{"data":[${page.events.join(',')}],"pagination":${JSON.stringify(pagination)}}`);
  };

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs',
    {
      schema: { ...listSchema, summary: 'List, filter and search audit events', params: OrgParams },
      config: { rateCost: searchRateCost },
    },
    (request, reply) => answerList(request, reply, (request.params as { org: string }).org),
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/organization/audit-logs',
    {
      schema: { ...listSchema, summary: "The same list; the organization is the token's own" },
      config: { rateCost: searchRateCost },
    },
    (request, reply) => answerList(request, reply),
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs/:id',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'One audit event',
        params: EventParams,
        response: {
          200: OneEventAnswer,
          ...problemResponses(401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const { org, id } = request.params;
      const principal = organizationFor(request, org);
      const scope = visibilityOf(principal);
      // An event the caller may not see is answered exactly like one that does not exist.
      const stored = await events.findVisible(principal.organization.id, id, scope);
      if (!stored) throw notFound(`no audit event "${id}"`);
      return { data: stored.event };
    },
  );

  registerExportRoute(app, options);
  registerIngestRoute(app);
  registerReviewRoute(app);
}

function nextLink(
  request: FastifyRequest,
  query: ListQuery,
  nextCursor: string | null,
  lastId: string,
): string {
  const url = new URL(request.url, 'http://placeholder');
  const params = url.searchParams;
  if (query.after !== undefined) params.set('after', lastId);
  else if (nextCursor !== null) {
    params.delete('page');
    params.set('cursor', nextCursor);
  }
  return `<${url.pathname}?${params.toString()}>; rel="next"`;
}
