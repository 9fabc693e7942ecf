import type { Agent } from 'undici';
import { MAX_BATCH_EVENTS, MAX_PAGE_SIZE } from '../domain/request-limits.js';
import { type AnswerShape, jsonAnswer } from './answer.js';
import { logsPath, orgPath, webhooksPath } from './api-paths.js';
import type {
  ApiResponse,
  AuditClientOptions,
  CallOptions,
  HttpMethod,
  OpenOptions,
  RequestOptions,
  StreamOptions,
} from './client-options.js';
import { openConnection } from './connection.js';
import { gdprExportPath, subjectRequest } from './gdpr-request.js';
import {
  type Answer,
  type AnswerRead,
  type OpenAnswer,
  type OutgoingRequest,
  openWithRetries,
  sendWithRetries,
  type Transport,
} from './http.js';
import { walkPages } from './page-walk.js';
import { buildUrl } from './query.js';
import { lowerCaseKeys } from './setup.js';
import { type EventStream, openEventStream } from './stream.js';
import type {
  AuditEvent,
  CreatedWebhook,
  EventInput,
  EventPage,
  ExportRecord,
  GdprConfirmedContext,
  GdprErasure,
  GdprExport,
  GdprSubjectOptions,
  IngestResponse,
  ListParams,
  Me,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookInput,
  WebhookTestResult,
  WebhookUpdate,
} from './types.js';

/** Events in one ingest call: the server's limit. */
export const MAX_INGEST_BATCH = MAX_BATCH_EVENTS;
// The server sends a heartbeat every 15 s; three missed ones mean the connection is dead.
const STREAM_IDLE_TIMEOUT_MS = 45_000;

/** The one HTTP client of the CLI, exported for programs: JSON, auth, retries, typed errors. */
export class AuditClient {
  readonly server: string;
  readonly org: string | undefined;
  /** The `--debug` trace this client was given, for calls made beside it (export-stream.ts). */
  readonly trace: ((line: string) => void) | undefined;
  readonly #base: URL;
  readonly #agent: Agent;
  readonly #transport: Transport;
  readonly #headers: Record<string, string>;
  readonly #streams = new Set<EventStream>();
  readonly #signal: AbortSignal | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: AuditClientOptions) {
    const connection = openConnection(options);
    this.#base = connection.base;
    this.server = connection.server;
    this.org = options.org;
    this.trace = options.trace;
    this.#signal = options.signal;
    this.#agent = connection.agent;
    this.#transport = connection.transport;
    this.#headers = connection.headers;
  }

  /**
   * Any API call, JSON in and out. Every method is retried on 429/502/503/504 and connection
   * failures, POST included: ingest is idempotent by event `id`, so a retried batch whose ids
   * were already stored is not stored twice (events sent without an id get new ids each time).
   */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.#json<T>(method, path, options);
  }

  /** Any GET whose answer is text, not JSON (a signed checkpoint): the body as it came. */
  async requestText(path: string, options: RequestOptions = {}): Promise<string> {
    return (await this.requestAnswer(path, options)).text;
  }

  /** A GET whose answer the caller parses itself (jsonAnswer when it is not of a layout it reads faster). */
  requestAnswer(path: string, options: RequestOptions = {}, read: AnswerRead = 'text'): Promise<Answer> {
    return sendWithRetries(this.#transport, this.#outgoing('GET', path, options), read);
  }

  /** A call whose answer must be JSON, and of `shape` when given (else AuditResponseError). */
  async #json<T>(
    method: HttpMethod,
    path: string,
    options: RequestOptions,
    shape?: AnswerShape,
  ): Promise<ApiResponse<T>> {
    const response = await this.#send(method, path, options);
    return { status: response.status, headers: response.headers, body: jsonAnswer(response, shape) as T };
  }

  /** A call whose answer is not parsed yet. */
  #send(method: HttpMethod, path: string, options: RequestOptions): Promise<Answer> {
    return sendWithRetries(this.#transport, this.#outgoing(method, path, options));
  }

  /**
   * A call whose successful body is read as it arrives, for answers too large to hold (an export
   * stream, a subject-access document); the caller reads the body or dumps it. See OpenOptions.
   */
  openAnswer(method: HttpMethod, path: string, options: OpenOptions = {}): Promise<OpenAnswer> {
    const outgoing = { ...this.#outgoing(method, path, options), idleTimeoutMs: options.idleTimeoutMs };
    return openWithRetries(this.#transport, outgoing, options.earlier);
  }

  #outgoing(method: HttpMethod, path: string, options: RequestOptions): OutgoingRequest {
    const hasBody = options.body !== undefined;
    return {
      method,
      url: buildUrl(this.#base, path, options.query),
      headers: {
        ...this.#headers,
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...lowerCaseKeys(options.headers),
      },
      body: hasBody ? JSON.stringify(options.body) : undefined,
      signal: this.#signalFor(options.signal),
    };
  }

  async me(options: CallOptions = {}): Promise<Me> {
    return (await this.#json<Me>('GET', '/api/v1/me', options, 'me')).body;
  }

  async listPage(params: ListParams = {}, options: CallOptions = {}): Promise<EventPage> {
    const query = { ...params };
    return (await this.#json<EventPage>('GET', logsPath(this.org), { ...options, query }, 'page')).body;
  }

  /** Every page until the end; with `ahead`, the next is asked for before this one is parsed. */
  pages(params: ListParams = {}, options: CallOptions & { ahead?: boolean } = {}): AsyncGenerator<EventPage> {
    const fetchPage = (page: ListParams) =>
      this.#send('GET', logsPath(this.org), { signal: options.signal, query: { ...page } });
    return walkPages(params, fetchPage, options.ahead === true);
  }

  /** Events across pages, stopping after `limit`; asks for pages of min(1000, limit) when unset. */
  async *events(
    params: ListParams = {},
    options: CallOptions & { limit?: number } = {},
  ): AsyncGenerator<AuditEvent> {
    const { limit, signal } = options;
    if (limit !== undefined && limit <= 0) return;
    const perPage = params.per_page ?? (limit === undefined ? undefined : Math.min(MAX_PAGE_SIZE, limit));
    let count = 0;
    for await (const page of this.pages({ ...params, per_page: perPage }, { signal })) {
      for (const event of page.data) {
        yield event;
        count++;
        if (limit !== undefined && count >= limit) return;
      }
    }
  }

  async getEvent(id: string, options: CallOptions = {}): Promise<AuditEvent> {
    return this.#data<AuditEvent>('GET', `${logsPath(this.org)}/${encodeURIComponent(id)}`, options);
  }

  /**
   * Stores up to 1000 events and 5 MiB (callers batch). An id already stored is not stored again
   * and is answered as {id, duplicate: true}, never with the stored event.
   */
  async ingest(events: readonly EventInput[], options: CallOptions = {}): Promise<IngestResponse> {
    if (events.length > MAX_INGEST_BATCH) {
      throw new Error(`ingest takes at most ${MAX_INGEST_BATCH} events per call; got ${events.length}`);
    }
    if (events.length === 0) return { data: [], summary: { received: 0, created: 0, duplicates: 0 } };
    const body = { events };
    return (await this.#json<IngestResponse>('POST', logsPath(this.org), { ...options, body }, 'object'))
      .body;
  }

  /** Reports a finished export or backup, which the server records as one `audit.exported` event. */
  async recordExport(record: ExportRecord, options: CallOptions = {}): Promise<AuditEvent> {
    return this.#data<AuditEvent>('POST', `${orgPath(this.org)}/exports`, { ...options, body: record });
  }

  /**
   * GDPR subject-access export: every event in which the person appears, named by `user` (email
   * or id) and any `identifiers` / `names` the caller confirms are theirs.
   */
  async gdprExport(user: string, options: CallOptions & GdprSubjectOptions = {}): Promise<GdprExport> {
    const { call, body } = subjectRequest(user, options);
    const path = gdprExportPath(orgPath(this.org));
    return (await this.#json<GdprExport>('POST', path, { ...call, body }, 'envelope')).body;
  }

  /** GDPR erasure (owner only); `dryRun` reports what would change and changes nothing. */
  async gdprErase(
    user: string,
    options: CallOptions & GdprSubjectOptions & { dryRun?: boolean; confirmed?: GdprConfirmedContext } = {},
  ): Promise<GdprErasure> {
    const { dryRun = false, confirmed, ...subject } = options;
    const { call, body } = subjectRequest(user, subject);
    const erasure = { ...body, dry_run: dryRun, ...(confirmed ? { confirmed } : {}) };
    return this.#data<GdprErasure>('POST', `${orgPath(this.org)}/gdpr/erasures`, { ...call, body: erasure });
  }

  /** Subscribes a URL to matching events (owner or admin); the secret is returned only here. */
  async createWebhook(input: WebhookInput, options: CallOptions = {}): Promise<CreatedWebhook> {
    const body = (
      await this.#json<{ data: Webhook; secret: string }>(
        'POST',
        webhooksPath(this.org),
        { ...options, body: input },
        'envelope',
      )
    ).body;
    return { webhook: body.data, secret: body.secret };
  }

  async listWebhooks(options: CallOptions = {}): Promise<Webhook[]> {
    return this.#data<Webhook[]>('GET', webhooksPath(this.org), options);
  }

  async getWebhook(id: string, options: CallOptions = {}): Promise<Webhook> {
    return this.#data<Webhook>('GET', webhooksPath(this.org, id), options);
  }

  async updateWebhook(id: string, changes: WebhookUpdate, options: CallOptions = {}): Promise<Webhook> {
    return this.#data<Webhook>('PATCH', webhooksPath(this.org, id), { ...options, body: changes });
  }

  /** Deletes a webhook; its pending deliveries are not sent. */
  async deleteWebhook(id: string, options: CallOptions = {}): Promise<void> {
    await this.request('DELETE', webhooksPath(this.org, id), options);
  }

  /** Sends a sample event to the webhook now and reports what the receiver answered. */
  async testWebhook(id: string, options: CallOptions = {}): Promise<WebhookTestResult> {
    return this.#data<WebhookTestResult>('POST', `${webhooksPath(this.org, id)}/test`, options);
  }

  /** The webhook's recent deliveries, newest first. */
  async webhookDeliveries(
    id: string,
    params: { status?: WebhookDeliveryStatus; per_page?: number } = {},
    options: CallOptions = {},
  ): Promise<WebhookDelivery[]> {
    const call = { ...options, query: params };
    return this.#data<WebhookDelivery[]>('GET', `${webhooksPath(this.org, id)}/deliveries`, call);
  }

  /** The live Server-Sent Events stream; one attempt, no retry (the follower reconnects). */
  async openStream(params: ListParams = {}, options: StreamOptions = {}): Promise<EventStream> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const path = `${logsPath(this.org)}/stream`;
    const outgoing = this.#outgoing('GET', path, { query: { ...params }, headers, signal: options.signal });
    const stream = await openEventStream(
      this.#transport,
      outgoing,
      options.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS,
    );
    const close = stream.close;
    this.#streams.add(stream);
    stream.close = () => {
      this.#streams.delete(stream);
      close();
    };
    return stream;
  }

  /** Closes open streams and the connection pool; the client is unusable afterwards. */
  close(): Promise<void> {
    for (const stream of [...this.#streams]) stream.close();
    this.#closing ??= this.#agent.close();
    return this.#closing;
  }

  /** The client's own signal and the call's, either of which ends the call. */
  #signalFor(call: AbortSignal | undefined): AbortSignal | undefined {
    if (!this.#signal || !call) return call ?? this.#signal;
    return AbortSignal.any([this.#signal, call]);
  }

  /** The `data` of an answer in the API's `{ "data": … }` envelope. */
  async #data<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    return (await this.#json<{ data: T }>(method, path, options, 'envelope')).body.data;
  }
}
