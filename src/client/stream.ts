import { StringDecoder } from 'node:string_decoder';
import type { request } from 'undici';
import { AuditResponseError, networkError } from './errors.js';
import {
  apiError,
  type OutgoingRequest,
  type ResponseHeaders,
  type Transport,
  throwIfAborted,
} from './http.js';
import { redactUrl } from './query.js';
import { networkErrorCode } from './retry.js';
import { elapsedMs, traceHeaderLines } from './trace.js';
import { undici } from './undici.js';

/** An open text/event-stream: iterate it for UTF-8 text chunks as they arrive. */
export interface EventStream extends AsyncIterable<string> {
  status: number;
  headers: ResponseHeaders;
  /** Ends the stream and frees the connection; iteration then finishes quietly. */
  close(): void;
}

/**
 * One attempt, never retried: the follower (`audit tail`) owns reconnecting, because only it
 * knows the last event id to resume from. A connection silent for `idleTimeoutMs` (heartbeats
 * included) fails the iteration with an AuditTimeoutError, so a dead peer is noticed.
 */
export async function openEventStream(
  transport: Transport,
  outgoing: OutgoingRequest,
  idleTimeoutMs: number,
): Promise<EventStream> {
  const { trace } = transport;
  const { method, url, signal } = outgoing;
  const failure = (error: unknown) =>
    networkError({ code: networkErrorCode(error), method, url: redactUrl(url), cause: error });
  trace?.(`→ ${method} ${redactUrl(url)} (stream)`);
  if (trace) for (const line of traceHeaderLines(outgoing.headers)) trace(line);
  const started = performance.now();
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await undici().request(url, {
      method,
      headers: outgoing.headers,
      signal,
      dispatcher: transport.dispatcher,
      bodyTimeout: idleTimeoutMs,
    });
  } catch (error) {
    throwIfAborted(signal);
    throw failure(error);
  }
  trace?.(`← ${answer.statusCode} ${method} ${url.pathname} ${elapsedMs(started)} ms`);
  const body = answer.body;
  if (answer.statusCode !== 200) {
    const text = await body.text().catch(() => '');
    throw apiError(transport, outgoing, { status: answer.statusCode, headers: answer.headers, text });
  }
  // A proxy's page or another service's answer is no stream: reading it as one would end at
  // once and reconnect for ever. Say what it was, once.
  const contentType = headerValue(answer.headers['content-type']);
  if (!isEventStreamType(contentType)) {
    // Frees the connection; what the page says is of no use here.
    await body.dump().catch(() => undefined);
    throw new AuditResponseError({
      kind: 'not-event-stream',
      status: answer.statusCode,
      contentType,
      method,
      url: redactUrl(url),
    });
  }
  // undici's body ignores setEncoding and hands over Buffers: decode here, keeping a character
  // whose bytes arrive in two packets whole.
  const decoder = new StringDecoder('utf8');
  let closed = false;
  return {
    status: answer.statusCode,
    headers: answer.headers,
    close() {
      closed = true;
      body.destroy();
    },
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of body) {
          const text = decoder.write(chunk as Buffer);
          if (text !== '') yield text;
        }
      } catch (error) {
        throwIfAborted(signal);
        if (closed) return;
        throw failure(error);
      }
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `text/event-stream`, with or without parameters, in any case. */
function isEventStreamType(contentType: string | undefined): boolean {
  return contentType?.split(/[;,]/)[0]?.trim().toLowerCase() === 'text/event-stream';
}
