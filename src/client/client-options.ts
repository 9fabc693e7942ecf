/** The options of `AuditClient` and of its calls. */
import type { EarlierFailures, ResponseHeaders, RetryInfo } from './http.js';
import type { QueryParams } from './query.js';

export interface AuditClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:7787 (a path prefix is kept). */
  server: string;
  token?: string;
  /** Organization slug; needed by the organization's endpoints. */
  org?: string;
  /** Attempts in total per request (not retries); default RETRY_ATTEMPTS.interactive. */
  attempts?: number;
  /** Connect, headers and body timeout per attempt; default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** `--debug`: receives one line per attempt and answer, the token masked. */
  trace?: (line: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
  /** Ends every request of this client when aborted (the CLI's Ctrl-C); a call's own signal adds to it. */
  signal?: AbortSignal;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: QueryParams;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface OpenOptions extends RequestOptions {
  /**
   * Attempts of this request that failed already (a stream cut after its answer began): it
   * waits their back-off first and has only the attempts the retry policy has left.
   */
  earlier?: EarlierFailures;
  /** How long the body may be silent before the call fails; default the client's timeout. */
  idleTimeoutMs?: number;
}

export interface ApiResponse<T> {
  status: number;
  headers: ResponseHeaders;
  body: T;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface StreamOptions extends CallOptions {
  /** Resume after this SSE id: the server replays what came since, no gap, no duplicate. */
  lastEventId?: string;
  /** Fail the iteration when nothing (not even a heartbeat) arrives for this long; default 45 s. */
  idleTimeoutMs?: number;
}
