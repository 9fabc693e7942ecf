import { sanitizeForDisplay } from '../format/sanitize.js';
import { STATUS_CODES } from './status-codes.js';
import type { ProblemDocument } from './types.js';

const MAX_DETAIL = 300;

/**
 * Server text reaches a terminal through these messages: one line, with no escape sequence,
 * control, bidi or invisible character (the display sanitizer's rules).
 */
export function oneLine(text: string): string {
  const flat = sanitizeForDisplay(text).trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}

/**
 * What a refusal means for the caller: not signed in (401), not permitted (403), a request the
 * server refused as given (400, 413, 415), or the server failing (anything else).
 */
export type ApiErrorKind = 'unauthenticated' | 'forbidden' | 'rejected' | 'failed';

function apiErrorKind(status: number): ApiErrorKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 400 || status === 413 || status === 415) return 'rejected';
  return 'failed';
}

/** The server answered with a status the client does not retry (or retries ran out). */
export class AuditApiError extends Error {
  override readonly name = 'AuditApiError';
  readonly kind: ApiErrorKind;
  /** The message without the request: `400 Bad Request: events[3].action is required`. */
  readonly summary: string;
  readonly status: number;
  readonly problem: ProblemDocument | undefined;
  readonly method: string;
  /** The request URL with secret-looking query parameters redacted. */
  readonly url: string;
  /** The wait the answer's `Retry-After` asked for (429, 503), capped; undefined without one. */
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    status: number;
    problem?: ProblemDocument;
    method: string;
    url: string;
    detail?: string;
    retryAfterMs?: number;
  }) {
    const { status, problem, method, url } = options;
    const title = problem?.title || STATUS_CODES[status] || 'HTTP error';
    const detail = problem?.detail ?? options.detail;
    const path = new URL(url).pathname;
    const summary = `${status} ${oneLine(title)}${detail ? `: ${oneLine(detail)}` : ''}`;
    super(`${summary} (${method} ${path})`);
    this.summary = summary;
    this.kind = apiErrorKind(status);
    this.status = status;
    this.problem = problem;
    this.method = method;
    this.url = url;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A successful answer the client cannot use: not JSON (a proxy's login page, a wrong --server),
 * JSON of another shape than the call expects, where an event stream was asked for anything
 * but text/event-stream, or where an export stream was, anything but its NDJSON lines
 * (src/domain/export-stream.ts). `kind` says which.
 */
export type ResponseErrorKind = 'not-json' | 'unexpected-shape' | 'not-event-stream' | 'not-export-stream';

const NOT_WHAT: Record<Exclude<ResponseErrorKind, 'unexpected-shape'>, string> = {
  'not-json': 'JSON',
  'not-event-stream': 'an event stream',
  'not-export-stream': 'an export stream',
};

export class AuditResponseError extends Error {
  override readonly name = 'AuditResponseError';
  readonly kind: ResponseErrorKind;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(options: {
    kind: ResponseErrorKind;
    status: number;
    contentType: string | undefined;
    method: string;
    url: string;
    /** For `unexpected-shape`: what the call expected, e.g. "a page of events". */
    expected?: string;
    /** What is wrong with it, when its media type was right (a stream's line that breaks the contract). */
    detail?: string;
  }) {
    const { kind, status, contentType, method, url } = options;
    const { origin, pathname } = new URL(url);
    const type = contentType ? oneLine(contentType) : 'no content-type';
    const detail = options.detail ? `: ${oneLine(options.detail)}` : '';
    const what =
      kind === 'unexpected-shape'
        ? `is JSON but not ${options.expected ?? 'what the audit API sends'} (${status}, ${type})`
        : `is not ${NOT_WHAT[kind]} (${status}, ${type})${detail}`;
    super(`the answer of ${origin} to ${method} ${pathname} ${what}; is ${origin} an audit server?`);
    this.kind = kind;
    this.status = status;
    this.contentType = contentType;
    this.method = method;
    this.url = url;
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EAI_AGAIN: 'temporary DNS failure',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for an answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
};

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The server could not be reached, or the connection failed; `code` is the cause's, e.g. ECONNREFUSED. */
export class AuditNetworkError extends Error {
  override readonly name: string = 'AuditNetworkError';
  /** `timeout` for AuditTimeoutError. */
  readonly kind: 'unreachable' | 'timeout' = 'unreachable';
  readonly code: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(options: { code: string | undefined; method: string; url: string; cause?: unknown }) {
    const { code, method, url } = options;
    const reason = (code && REASONS[code]) ?? oneLine(causeMessage(options.cause) || code || 'network error');
    super(`cannot reach ${new URL(url).origin}: ${reason}`, { cause: options.cause });
    this.code = code;
    this.method = method;
    this.url = url;
  }
}

/** A network failure that was a timeout (connect, headers or body); still an AuditNetworkError. */
export class AuditTimeoutError extends AuditNetworkError {
  override readonly name = 'AuditTimeoutError';
  override readonly kind = 'timeout';
}

/** What went wrong in a TLS handshake, by the cause's code: each has its own fix. */
export type TlsProblem = 'plain-http' | 'untrusted' | 'wrong-host' | 'expired' | 'not-yet-valid' | 'other';

const TLS_PROBLEMS: Record<string, TlsProblem> = {
  // An https request answered in plain HTTP: OpenSSL reads "HTTP/1.1 400" as a record header.
  ERR_SSL_WRONG_VERSION_NUMBER: 'plain-http',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'plain-http',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-host',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
};

function tlsProblemOf(code: string | undefined): TlsProblem | undefined {
  if (!code) return undefined;
  return TLS_PROBLEMS[code] ?? (/^(ERR_SSL_|ERR_TLS_|CERT_)/.test(code) ? 'other' : undefined);
}

/**
 * The TLS handshake failed: one line saying what is wrong and what fixes it, never OpenSSL's
 * own text (it names source files and error numbers); `code` keeps OpenSSL's code for --debug.
 */
export class AuditTlsError extends AuditNetworkError {
  override readonly name = 'AuditTlsError';
  readonly problem: TlsProblem;

  constructor(options: { code: string | undefined; method: string; url: string; cause?: unknown }) {
    super(options);
    const url = new URL(options.url);
    this.problem = tlsProblemOf(options.code) ?? 'other';
    this.message = `cannot connect to ${url.origin} over TLS — ${tlsAdvice(this.problem, url, options.code)}`;
  }
}

function tlsAdvice(problem: TlsProblem, url: URL, code: string | undefined): string {
  switch (problem) {
    case 'plain-http':
      return `the server seems to speak plain HTTP; use http://${url.host}`;
    case 'untrusted':
      return (
        "its certificate is not trusted (self-signed or from a private CA); if the CA is your organization's, " +
        'point NODE_EXTRA_CA_CERTS at its PEM file'
      );
    case 'wrong-host':
      return `its certificate is not issued for ${url.hostname}; use the host name the certificate names`;
    case 'expired':
      return "its certificate has expired; the server's certificate must be renewed (or this machine's clock is wrong)";
    case 'not-yet-valid':
      return "its certificate is not valid yet; check this machine's clock";
    default:
      return `the TLS handshake failed (${code ?? 'unknown reason'}); check that this port serves https`;
  }
}

/** The right network error class for a failure with this code. */
export function networkError(options: {
  code: string | undefined;
  method: string;
  url: string;
  cause?: unknown;
}): AuditNetworkError {
  if (tlsProblemOf(options.code)) return new AuditTlsError(options);
  return options.code && TIMEOUT_CODES.has(options.code)
    ? new AuditTimeoutError(options)
    : new AuditNetworkError(options);
}

function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : '';
}
