import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createEventMatcher } from '../../domain/event-matcher.js';
import type { StoredEvent } from '../../store/event-rows.js';
import { parseFilter, searchRateCost } from '../list-query.js';
import { visibilityOf } from '../permissions.js';
import { invalidParameter } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { type ListQuery, StreamQuerySchema } from '../schemas/list.js';

// The hub hands every follower the same event objects: each is serialized once, not per follower.
const frames = new WeakMap<StoredEvent, string>();
function sseFrame(stored: StoredEvent): string {
  let frame = frames.get(stored);
  if (frame === undefined) {
    frame = `id: ${stored.seq}\ndata: ${JSON.stringify(stored.event)}\n\n`;
    frames.set(stored, frame);
  }
  return frame;
}

// A batch every follower takes whole is joined and encoded once and the same bytes are written
// to each socket: joining and encoding ~550 KB a 1000-event batch took ~0.9 ms per follower,
// 17 µs an event of the server's one thread with 20 followers.
const batchBytes = new WeakMap<readonly StoredEvent[], Buffer>();
function sseBatch(batch: readonly StoredEvent[]): Buffer {
  let bytes = batchBytes.get(batch);
  if (bytes === undefined) {
    bytes = Buffer.from(batch.map(sseFrame).join(''));
    batchBytes.set(batch, bytes);
  }
  return bytes;
}

const BACKLOG_PAGE = 1000;
// A follower this far behind is cut off; it reconnects with Last-Event-ID and loses nothing.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Server-Sent Events of new events. The SSE id of each event is its position in the log, so
 * `Last-Event-ID` resumes exactly after the last event the client saw: no gap, no duplicate.
 */
export function registerStreamRoute(app: FastifyInstance, options: { heartbeatIntervalMs: number }) {
  const { events, hub, now } = app.services;

  app.get(
    '/api/v1/organizations/:org/audit-logs/stream',
    {
      schema: {
        tags: ['audit-logs'],
        summary:
          'Server-Sent Events of new audit events; same filters as the list; resumes with Last-Event-ID',
        params: OrgParams,
        querystring: StreamQuerySchema,
        response: {
          200: { description: 'text/event-stream', type: 'string' },
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
      config: { rateCost: searchRateCost },
    },
    async (request, reply) => {
      const principal = organizationFor(request, (request.params as { org: string }).org);
      const scope = visibilityOf(principal);
      const filter = parseFilter(request.query as ListQuery, principal, now());
      const resumeFrom = lastEventId(request);
      const orgId = principal.organization.id;
      const accepts = createEventMatcher(filter, scope);

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
      let lastSentSeq = resumeFrom ?? hub.publishedSeq();
      let closed = false;
      let unsubscribe = () => {};
      let heartbeat: NodeJS.Timeout | undefined;
      const send = (batch: readonly StoredEvent[]) => {
        const last = batch.at(-1);
        if (closed || last === undefined || last.seq <= lastSentSeq) return;
        // The backlog and the live feed can overlap by a few events; positions dedupe them.
        const fresh = (batch[0] as StoredEvent).seq > lastSentSeq;
        raw.write(
          fresh
            ? sseBatch(batch)
            : batch
                .filter((stored) => stored.seq > lastSentSeq)
                .map(sseFrame)
                .join(''),
        );
        lastSentSeq = last.seq;
        if (raw.writableLength > MAX_BUFFERED_BYTES) close();
      };
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        // Drop the socket at once: a shutting-down server must not wait on a client that may
        // already be gone. Nothing is lost; the client resumes with Last-Event-ID.
        raw.end();
        raw.destroy();
      };

      raw.write(`retry: 2000\n: connected at position ${lastSentSeq}\n\n`);
      if (resumeFrom !== undefined) {
        for (;;) {
          const page = events.after(orgId, filter, scope, lastSentSeq, BACKLOG_PAGE);
          send(page.events);
          if (!page.hasMore || closed) break;
        }
      }
      if (closed) return;
      unsubscribe = hub.subscribe({ orgId, accepts, deliver: send, close });
      heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), options.heartbeatIntervalMs);
      heartbeat.unref();
      raw.on('close', close);
    },
  );
}

function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw invalidParameter('Last-Event-ID', 'expected the id of an event from this stream');
  return Number(text);
}
