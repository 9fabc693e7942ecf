import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EXPORT_CHUNK_MAX_ROWS, EXPORT_STREAM_MEDIA_TYPE } from '../../domain/export-stream.js';
import type { Authentication } from '../../store/directory-store.js';
import { takeAccessRecord } from '../access-log.js';
import { openExportConnection } from '../export-connection.js';
import { createExportSlots, DEFAULT_EXPORTS_PER_TOKEN } from '../export-slots.js';
import { type ExportPlan, type ExportProgress, firstChunk, streamExport } from '../export-streamer.js';
import { parseListQuery, searchRateCost } from '../list-query.js';
import { type Principal, visibilityOf } from '../permissions.js';
import { invalidParameter } from '../problem.js';
import type { RateLimiter } from '../rate-limiter.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import {
  EXPORT_DESCRIPTION,
  ExportOkResponse,
  type ExportQuery,
  ExportQuerySchema,
  LIST_ONLY_PARAMETERS,
} from '../schemas/export.js';
import { standingOf } from '../stream-registry.js';
import { treeSizeSeq } from '../tree-access.js';

export interface ExportRouteOptions {
  /** The token rate limit the requests are counted in; a stream pays for its rows there too. */
  limiter: RateLimiter;
  /** Export streams one token may hold at once. */
  exportsPerToken?: number | undefined;
  /** How long a reader may leave a full socket unread before its stream is cut (default 120 s). */
  exportStallTimeoutMs?: number | undefined;
  /** How often a stream looks at its token again: at most once a second, or as often as live streams do. */
  accessRecheckMs?: number | undefined;
}

/**
 * `GET …/audit-logs/export`: a whole range in one streamed answer (src/domain/export-stream.ts),
 * with the list's filters, visibility and cursors, pinned at its start.
 */
export function registerExportRoute(app: FastifyInstance, options: ExportRouteOptions) {
  const { now, cursors } = app.services;
  const { events, merkle, directory } = app.services.engine.stores;
  const services = app.services;
  const slots = createExportSlots(options.exportsPerToken ?? DEFAULT_EXPORTS_PER_TOKEN);
  // A closing server cuts its exports: the clients resume from their last complete chunk.
  app.addHook('preClose', async () => slots.cutAll());

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs/export',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'Export a whole range as one stream of row chunks, oldest first',
        description: EXPORT_DESCRIPTION,
        params: OrgParams,
        querystring: ExportQuerySchema,
        response: { 200: ExportOkResponse, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
      config: { rateCost: searchRateCost },
      preValidation: async (request) => refuseListOnlyParameters(request),
    },
    async (request, reply) => {
      const principal = organizationFor(request, request.params.org);
      const scope = visibilityOf(principal);
      const orgId = principal.organization.id;
      const query: ExportQuery = request.query;
      const { filter, cursor } = await parseListQuery(
        { ...query, order: 'asc', per_page: EXPORT_CHUNK_MAX_ROWS },
        { principal, scope, now: now(), events, cursors },
      );
      if (query.tree_size !== undefined)
        filter.maxSeq = await treeSizeSeq(principal, merkle, query.tree_size);
      // Pinned now unless the request pins it: events that arrive while it streams stay out.
      else filter.receivedBefore ??= now();
      const tokenKey = `token:${principal.token.id}`;
      // Every chunk is one query of the list's kind: it costs what a list request with `q` costs.
      const chunkCost = searchRateCost(request);
      const plan: ExportPlan = {
        receivedBefore:
          filter.receivedBefore === undefined ? null : new Date(filter.receivedBefore).toISOString(),
        readChunk: (after, limits) => events.exportChunk(orgId, filter, scope, { cursor: after, ...limits }),
        encodeCursor: (last) => cursors.encode(orgId, last),
        charge: () => options.limiter.take(tokenKey, chunkCost),
        stillAllowed: accessCheck(
          principal,
          (tokenId) => directory.authenticateById(tokenId),
          Math.min(ACCESS_RECHECK_MS, options.accessRecheckMs ?? ACCESS_RECHECK_MS),
        ),
      };
      // Refused (429) or failed (a problem document) here, before the 200 is sent.
      let cut = () => {};
      const release = slots.admit(principal.token.id, () => cut());
      let first: Awaited<ReturnType<typeof firstChunk>>;
      try {
        first = await firstChunk(plan, cursor);
      } catch (error) {
        release();
        throw error;
      }

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': `${EXPORT_STREAM_MEDIA_TYPE}; charset=utf-8`,
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      // The onResponse hook does not run for a cut stream: the record is written when it closes.
      const recordAccess = takeAccessRecord(services, request);
      const progress: ExportProgress = { rows: 0 };
      const connection = openExportConnection(
        raw,
        ({ completed }) => {
          release();
          recordAccess(200, { rows: progress.rows, completed }).catch((error) => request.log.error(error));
        },
        options.exportStallTimeoutMs,
      );
      cut = () => connection.cut();
      // HEAD is answered with the headers alone: no chunk is read for a body nobody receives.
      if (request.method === 'HEAD') return connection.end('');
      try {
        await streamExport(connection, plan, first, progress);
      } catch (error) {
        // Past the 200 there is no problem document to send: the cut tells the client to resume.
        request.log.error(error);
        connection.cut();
      }
    },
  );
}

/** How often a long export looks at its token again (a revocation, a new role). */
const ACCESS_RECHECK_MS = 1000;

/**
 * Whether the principal's token still stands where it stood, looked at again at most every
 * `recheckMs` unless `fresh`.
 */
function accessCheck(
  principal: Principal,
  authenticate: (tokenId: number) => Promise<Authentication>,
  recheckMs: number,
): (fresh?: boolean) => Promise<boolean> {
  const standing = standingOf(principal);
  let checkedAt = performance.now();
  let allowed = true;
  return async (fresh = false) => {
    if (!allowed || (!fresh && performance.now() - checkedAt < recheckMs)) return allowed;
    checkedAt = performance.now();
    const now = await authenticate(principal.token.id);
    allowed = now.ok && standingOf(now) === standing;
    return allowed;
  };
}

/** `order`, `per_page`, `page` and `after` are the list's: named in a 400, not ignored. */
function refuseListOnlyParameters(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  const refused = LIST_ONLY_PARAMETERS.find((name) => query?.[name] !== undefined);
  if (refused === undefined) return;
  throw invalidParameter(
    refused,
    'is a list parameter: an export is always oldest first, in chunks the server sizes; resume with cursor',
  );
}
