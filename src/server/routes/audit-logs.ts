import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventInput } from '../../domain/event.js';
import { InvalidEventError } from '../../domain/normalize.js';
import type { StoredEvent } from '../../store/event-rows.js';
import { parseListQuery } from '../list-query.js';
import { assertCanIngest, visibilityOf } from '../permissions.js';
import { invalidParameter, notFound, Problem } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { EventInputSchema, IngestBodySchema, IngestResponseSchema, MAX_BATCH } from '../schemas/event.js';
import { EventParams, type ListQuery, ListQuerySchema, ListResponseSchema } from '../schemas/list.js';

const eventInputCheck = TypeCompiler.Compile(EventInputSchema);

export function registerAuditLogRoutes(app: FastifyInstance) {
  const { events, recorder, now, cursors } = app.services;

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
    const listRequest = parseListQuery(query, { principal, scope, now: now(), events, cursors });
    const page =
      listRequest.afterSeq === undefined
        ? events.pageJson(orgId, listRequest.filter, scope, {
            order: listRequest.order,
            limit: listRequest.perPage,
            cursor: listRequest.cursor,
            offset: listRequest.offset,
          })
        : events.afterJson(orgId, listRequest.filter, scope, listRequest.afterSeq, listRequest.perPage);
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

  app.get(
    '/api/v1/organizations/:org/audit-logs',
    { schema: { ...listSchema, summary: 'List, filter and search audit events', params: OrgParams } },
    (request, reply) => answerList(request, reply, (request.params as { org: string }).org),
  );

  app.get(
    '/api/organization/audit-logs',
    { schema: { ...listSchema, summary: "The same list; the organization is the token's own" } },
    (request, reply) => answerList(request, reply),
  );

  app.get(
    '/api/v1/organizations/:org/audit-logs/:id',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'One audit event',
        params: EventParams,
        response: {
          200: { type: 'object', properties: { data: { $ref: 'AuditEvent' } } },
          ...problemResponses(401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const { org, id } = request.params as { org: string; id: string };
      const principal = organizationFor(request, org);
      const scope = visibilityOf(principal);
      // An event the caller may not see is answered exactly like one that does not exist.
      const stored = events.findVisible(principal.organization.id, id, scope);
      if (!stored) throw notFound(`no audit event "${id}"`);
      return { data: stored.event };
    },
  );

  app.post(
    '/api/v1/organizations/:org/audit-logs',
    {
      schema: {
        tags: ['audit-logs'],
        summary: `Ingest one event, or {"events": [...]} (up to ${MAX_BATCH}); idempotent by id`,
        params: OrgParams,
        body: IngestBodySchema,
        response: { 201: IngestResponseSchema, ...problemResponses(400, 401, 403, 404, 413, 415, 429, 503) },
      },
      // The body is checked event by event below, so an error names the event that failed.
      validatorCompiler: () => (value: unknown) => ({ value }),
    },
    async (request, reply) => {
      const principal = organizationFor(request, (request.params as { org: string }).org);
      assertCanIngest(principal);
      const inputs = eventsOfBody(request.body);
      try {
        const result = recorder.record(principal.organization.id, inputs);
        reply.code(201);
        return {
          data: result.stored.map((stored: StoredEvent) => stored.event),
          summary: {
            received: inputs.length,
            created: result.created,
            duplicates: inputs.length - result.created,
          },
        };
      } catch (error) {
        if (error instanceof InvalidEventError) throw invalidParameter(error.field, error.message);
        throw error;
      }
    },
  );
}

function eventsOfBody(body: unknown): EventInput[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParameter('body', 'expected an event object or {"events": [...]}');
  }
  const batch = 'events' in body;
  const inputs = batch ? (body as { events: unknown }).events : [body];
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw invalidParameter('events', 'expected a non-empty array of events');
  }
  if (inputs.length > MAX_BATCH) {
    throw new Problem(
      413,
      'payload-too-large',
      'Payload too large',
      `at most ${MAX_BATCH} events per request`,
    );
  }
  inputs.forEach((input, index) => {
    // The compiled check is fast; the error walk runs only for an event that fails it.
    if (eventInputCheck.Check(input)) return;
    const error = eventInputCheck.Errors(input).First();
    if (!error) return;
    const path = error.path.split('/').filter(Boolean).join('.');
    const field = batch ? `events[${index}]${path ? `.${path}` : ''}` : path || 'body';
    throw invalidParameter(field, error.message.toLowerCase());
  });
  return inputs as EventInput[];
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
