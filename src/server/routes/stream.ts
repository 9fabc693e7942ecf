import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createEventMatcher } from '../../domain/event-matcher.js';
import type { StoredEvent } from '../../store/event-rows.js';
import { parseFilter, searchRateCost } from '../list-query.js';
import { visibilityOf } from '../permissions.js';
import { invalidParameter } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { StreamHeadersSchema, StreamQuerySchema } from '../schemas/list.js';
import { openSseConnection } from '../sse-connection.js';
import { POSITION_AHEAD_EVENT } from '../sse-frames.js';
import type { PositionCodec } from '../stream-position.js';

// The backlog is sent a page at a time, each once the client has taken most of the one before;
// the live feed cannot wait, and is bounded by maxBufferedBytes instead.
const BACKLOG_PAGE = 100;
const BACKLOG_HIGH_WATER = 64 * 1024;

const STREAM_DESCRIPTION = [
  'Each event is an SSE message whose `id` is its opaque position and whose `data` is the event as JSON.',
  'A new stream starts at the end of the log when it connects: events stored before then are not sent.',
  'Reconnect with `Last-Event-ID` set to the last id received to resume with no gap and no duplicate.',
  'A `Last-Event-ID` past the end of the log (the server was restored from an older copy of its',
  `database, or the id is wrong) is answered first with one \`event: ${POSITION_AHEAD_EVENT}\` message:`,
  "its `id` and its JSON `data.position` are the position of the log's end, from which the stream",
  'then continues, and `data.detail` says so in words. Events the client saw after the copy was taken',
  'are not in this log.',
  'Comments (lines starting with `:`) are heartbeats, `connected at position <id>` when the stream opens,',
  'and `closed: <reason>` when the server ends it.',
].join(' ');

export interface StreamRouteOptions {
  heartbeatIntervalMs: number;
  /** Unsent bytes past which a stream is cut off (its client resumes with Last-Event-ID). */
  maxBufferedBytes: number;
}

/**
 * Server-Sent Events of new events. The SSE id of each event is its opaque position (see
 * stream-position), so `Last-Event-ID` resumes exactly after the last event the client saw:
 * no gap, no duplicate. The stream lasts while its token and role allow (see stream-registry).
 */
export function registerStreamRoute(app: FastifyInstance, options: StreamRouteOptions) {
  const { hub, now, streams, positions, sseFrames } = app.services;
  const { events } = app.services.engine.stores;

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs/stream',
    {
      schema: {
        tags: ['audit-logs'],
        summary:
          'Server-Sent Events of new audit events; same filters as the list; resumes with Last-Event-ID',
        description: STREAM_DESCRIPTION,
        params: OrgParams,
        querystring: StreamQuerySchema,
        headers: StreamHeadersSchema,
        response: {
          200: { content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
      config: { rateCost: searchRateCost },
    },
    async (request, reply) => {
      const principal = organizationFor(request, request.params.org);
      const scope = visibilityOf(principal);
      const filter = parseFilter(request.query, principal, now());
      const orgId = principal.organization.id;
      const requested = lastEventId(request, positions, orgId);
      // Read from the database, not the hub: the hub learns of rows that other processes (the
      // admin commands) wrote only at its next poll, and those are not new to this stream.
      const endSeq = await events.endSeq(orgId);
      const ahead = requested !== undefined && requested > endSeq;
      const resumeFrom = ahead ? endSeq : requested;
      const accepts = createEventMatcher(filter, scope);
      let connection: ReturnType<typeof openSseConnection> | undefined;
      // Refused with a 429 here, before anything is written, when the caller holds too many.
      const release = streams.admit(principal, request.ip, (reason) => connection?.end(reason));

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The connection serves only this stream; when it ends, the socket goes too, so a
        // shutting-down server is not kept waiting on an idle keep-alive connection.
        connection: 'close',
        'x-accel-buffering': 'no',
      });
      let unsubscribe = () => {};
      const stream = openSseConnection(raw, {
        maxBufferedBytes: options.maxBufferedBytes,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        onEnd: () => {
          unsubscribe();
          release();
        },
      });
      connection = stream;
      let lastSentSeq = resumeFrom ?? endSeq;
      let live = false;
      const send = (batch: readonly StoredEvent[]) => {
        const last = batch.at(-1);
        if (stream.ended || last === undefined || last.seq <= lastSentSeq) return;
        // The backlog and the live feed can overlap by a few events; positions dedupe them.
        const after = lastSentSeq;
        lastSentSeq = last.seq;
        (live ? stream.write : stream.writePaced)(
          (batch[0] as StoredEvent).seq > after
            ? sseFrames.batch(batch)
            : batch
                .filter((stored) => stored.seq > after)
                .map(sseFrames.frame)
                .join(''),
        );
      };

      stream.write(`retry: 2000\n: connected at position ${positions.encode(orgId, lastSentSeq)}\n\n`);
      if (ahead) stream.write(sseFrames.positionAhead(orgId, endSeq));
      const catchUp = async () => {
        for (;;) {
          const page = await events.page(orgId, filter, scope, {
            afterSeq: lastSentSeq,
            limit: BACKLOG_PAGE,
          });
          // The hub re-checks access before it delivers a revocation's aftermath; a page read
          // here bypasses it, so the token is looked at again after the read, before the send.
          const lost = page.events.length > 0 ? await streams.standing(principal) : undefined;
          if (lost !== undefined) return stream.end(lost);
          send(page.events);
          if (!page.hasMore || stream.ended) return;
          // Paced by the client.
          if (stream.buffered > BACKLOG_HIGH_WATER) await stream.drained();
        }
      };
      // The response is ours now: a failure past this point (a read that fails) ends the stream,
      // so none is left open and subscribed with its held batches growing (its client resumes).
      try {
        if (resumeFrom !== undefined) await catchUp();
        if (stream.ended) return;
        // Everything up to endSeq that matches was sent: a filtered stream whose catch-up matched
        // nothing is not left at its old position, for the hub or the read once more below.
        lastSentSeq = Math.max(lastSentSeq, endSeq);
        // Subscribed first, then read once more: an event committed before the subscription is
        // in that read, one after it reaches the hub's next read. What the hub delivers meanwhile
        // waits, so the stream stays in order; positions drop what both carry.
        const held: (readonly StoredEvent[])[] = [];
        let deliver = (batch: readonly StoredEvent[]): void => {
          held.push(batch);
        };
        unsubscribe = hub.subscribe({
          orgId,
          afterSeq: lastSentSeq,
          accepts,
          deliver: (batch) => deliver(batch),
          close: () => stream.end(),
        });
        await catchUp();
        if (stream.ended) return;
        live = true;
        for (const batch of held) send(batch);
        deliver = send;
      } catch (error) {
        request.log.error(error);
        stream.end('server error; reconnect');
      }
    },
  );
}

function lastEventId(request: FastifyRequest, positions: PositionCodec, orgId: number): number | undefined {
  const header = request.headers['last-event-id'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text === '') return undefined;
  const seq = positions.decode(orgId, text);
  if (seq === undefined)
    throw invalidParameter('Last-Event-ID', 'expected the id of an event from this stream');
  return seq;
}
