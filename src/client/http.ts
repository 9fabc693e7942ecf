import type { Dispatcher } from 'undici';
import { AuditApiError, networkError, oneLine } from './errors.js';
import { redactUrl } from './query.js';
import {
  isRetryableNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  retryDelayMs,
} from './retry.js';
import { STATUS_CODES } from './status-codes.js';
import { elapsedMs, maskToken, traceHeaderLines } from './trace.js';
import type { ProblemDocument } from './types.js';
import { undici } from './undici.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface RetryInfo {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  delayMs: number;
  /** Why: `503 Service Unavailable`, `ECONNREFUSED`… */
  reason: string;
}

/** What every request shares: the connection pool, the retry policy and the trace. */
export interface Transport {
  dispatcher: Dispatcher;
  attempts: number;
  token: string | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  trace: ((line: string) => void) | undefined;
  onRetry: ((info: RetryInfo) => void) | undefined;
}

export interface OutgoingRequest {
  method: Dispatcher.HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** How long the body may be silent; default the client's timeout. */
  idleTimeoutMs?: number;
}

export interface TextResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
  /** A success's body as the chunks it came in, when asked for as bytes (text is then ""). */
  chunks?: readonly Buffer[];
}

/** How a success's body is read: decoded as text, kept as bytes, or left open for the caller. */
export type BodyRead = 'text' | 'bytes' | 'open';

/** How a whole answer is read: decoded as text, or kept as bytes. */
export type AnswerRead = Exclude<BodyRead, 'open'>;

/** A successful answer and the request it answers (the URL redacted), for the errors about it. */
export interface Answer extends TextResponse {
  method: string;
  url: string;
}

/** A successful answer whose body is read as it arrives (an export stream): read it or dump it. */
export interface OpenAnswer {
  status: number;
  headers: ResponseHeaders;
  body: Dispatcher.ResponseData['body'];
  method: string;
  url: string;
  /** Which attempt this is (1-based, earlier failures counted): the failures before it are one less. */
  attempt: number;
}

/** Attempts of the same request that already failed (a stream cut after its answer began). */
export interface EarlierFailures {
  attempts: number;
  /** What to throw when no attempt is left. */
  error: unknown;
  /** Why the last one failed, for the retry's report: `stream cut`… */
  reason: string;
}

/** An attempt's answer: the whole body as text, or for a success opened, the body still to read. */
interface Received extends TextResponse {
  body?: Dispatcher.ResponseData['body'];
}

/**
 * One request, with retries: 429/502/503/504 and connection failures are tried again
 * (honouring Retry-After, else full-jitter backoff) until `transport.attempts` run out.
 * Every non-2xx answer that is not retried becomes an AuditApiError; a network failure on the
 * last attempt becomes an AuditNetworkError. An abort ends everything at once.
 */
export async function sendWithRetries(
  transport: Transport,
  outgoing: OutgoingRequest,
  read: AnswerRead = 'text',
): Promise<Answer> {
  const { body: _unread, attempt: _attempt, ...answer } = await retrying(transport, outgoing, 1, read);
  return answer;
}

/**
 * As sendWithRetries, but a success's body is left to the caller to read as it arrives. After
 * `earlier` failed attempts (a stream that was cut) it waits its back-off first, and the attempts
 * left are what remains of the policy's; with none left, `earlier.error` is thrown.
 */
export async function openWithRetries(
  transport: Transport,
  outgoing: OutgoingRequest,
  earlier?: EarlierFailures,
): Promise<OpenAnswer> {
  if (earlier) {
    if (earlier.attempts >= transport.attempts) throw earlier.error;
    await pause(transport, outgoing, { attempt: earlier.attempts, reason: earlier.reason });
  }
  const answer = await retrying(transport, outgoing, (earlier?.attempts ?? 0) + 1, 'open');
  return { ...answer, body: answer.body as Dispatcher.ResponseData['body'] };
}

async function retrying(
  transport: Transport,
  outgoing: OutgoingRequest,
  firstAttempt: number,
  read: BodyRead,
): Promise<Received & { method: string; url: string; attempt: number }> {
  const { attempts, trace } = transport;
  for (let attempt = firstAttempt; ; attempt++) {
    const last = attempt >= attempts;
    const started = performance.now();
    let response: Received;
    try {
      response = await sendOnce(transport, outgoing, attempt, read);
    } catch (error) {
      throwIfAborted(outgoing.signal);
      const code = networkErrorCode(error);
      // Not a network failure (an invalid header, a bug): no retry, no disguise as one.
      if (code === undefined || code === 'UND_ERR_INVALID_ARG') throw error;
      trace?.(`✗ ${outgoing.method} ${outgoing.url.pathname} ${code ?? 'failed'} ${elapsedMs(started)} ms`);
      if (last || !isRetryableNetworkError(error)) {
        throw networkError({ code, method: outgoing.method, url: redactUrl(outgoing.url), cause: error });
      }
      await pause(transport, outgoing, { attempt, reason: code ?? 'network error' });
      continue;
    }
    const { status } = response;
    trace?.(`← ${status} ${outgoing.method} ${outgoing.url.pathname} ${elapsedMs(started)} ms`);
    if (status >= 200 && status < 300)
      return { ...response, method: outgoing.method, url: redactUrl(outgoing.url), attempt };
    if (!last && isRetryableStatus(status)) {
      // The title is the server's text and is printed (spinner, trace): one sanitized line.
      const title = oneLine(parseProblem(response.text)?.title ?? '');
      const reason = `${status} ${title || STATUS_CODES[status] || 'error'}`;
      await pause(transport, outgoing, { attempt, reason, retryAfter: response.headers['retry-after'] });
      continue;
    }
    throw apiError(transport, outgoing, response);
  }
}

/**
 * One attempt: the answer's status, headers and whole body (read, so the socket is reused); with
 * `open`, a success's body is left unread; with `bytes`, a success's body is not decoded.
 */
async function sendOnce(
  transport: Transport,
  outgoing: OutgoingRequest,
  attempt: number,
  read: BodyRead,
): Promise<Received> {
  const { trace } = transport;
  trace?.(`→ ${outgoing.method} ${redactUrl(outgoing.url)} (attempt ${attempt}/${transport.attempts})`);
  if (attempt === 1 && trace) for (const line of traceHeaderLines(outgoing.headers)) trace(line);
  const answer = await undici().request(outgoing.url, {
    method: outgoing.method,
    headers: outgoing.headers,
    body: outgoing.body,
    signal: outgoing.signal,
    dispatcher: transport.dispatcher,
    ...(outgoing.idleTimeoutMs === undefined ? {} : { bodyTimeout: outgoing.idleTimeoutMs }),
  });
  const { statusCode: status, headers } = answer;
  if (read === 'open' && status >= 200 && status < 300)
    return { status, headers, text: '', body: answer.body };
  if (read === 'bytes' && status >= 200 && status < 300)
    return { status, headers, text: '', chunks: await bodyChunks(answer.body) };
  return { status, headers, text: await answer.body.text() };
}

/** The chunks of a body as undici gives them: kept, not copied into one buffer (src/client/tree.ts). */
async function bodyChunks(body: Dispatcher.ResponseData['body']): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks;
}

async function pause(
  transport: Transport,
  outgoing: OutgoingRequest,
  failure: { attempt: number; reason: string; retryAfter?: string | string[] | undefined },
): Promise<void> {
  const delayMs = retryDelayMs({
    attempt: failure.attempt - 1,
    retryAfter: failure.retryAfter,
    random: transport.random,
  });
  transport.onRetry?.({ attempt: failure.attempt, delayMs, reason: failure.reason });
  transport.trace?.(`  retrying in ${delayMs} ms (${failure.reason})`);
  throwIfAborted(outgoing.signal);
  await abortable(transport.sleep(delayMs, outgoing.signal), outgoing.signal);
}

/** A non-2xx answer as a typed error; the token is scrubbed from anything the server echoed. */
export function apiError(
  transport: Transport,
  outgoing: OutgoingRequest,
  response: TextResponse,
): AuditApiError {
  const token = transport.token;
  const text = token ? response.text.split(token).join(maskToken(token)) : response.text;
  const problem = parseProblem(text, response.status);
  return new AuditApiError({
    status: response.status,
    problem,
    method: outgoing.method,
    url: redactUrl(outgoing.url),
    detail: problem ? undefined : plainDetail(text),
    retryAfterMs: parseRetryAfter(response.headers['retry-after']),
  });
}

/** The body as an RFC 9457 problem document, when it is one. */
export function parseProblem(text: string, status = 0): ProblemDocument | undefined {
  const json = parseJson(text);
  if (typeof json !== 'object' || json === null) return undefined;
  const { type, title, detail } = json as Record<string, unknown>;
  if (typeof title !== 'string' && typeof detail !== 'string') return undefined;
  return {
    ...(json as object),
    type: typeof type === 'string' ? type : 'about:blank',
    title: typeof title === 'string' ? title : '',
    status:
      typeof (json as { status?: unknown }).status === 'number'
        ? (json as { status: number }).status
        : status,
    detail: typeof detail === 'string' ? detail : '',
  } as ProblemDocument;
}

function plainDetail(text: string): string | undefined {
  const json = parseJson(text) as { message?: unknown; error?: unknown } | undefined;
  if (typeof json?.message === 'string') return json.message;
  if (typeof json?.error === 'string') return json.error;
  return undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Settles with `promise`, or rejects the moment `signal` aborts (an injected sleep may not listen). */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () =>
      reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
