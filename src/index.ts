// The package's API for programs: the same client every `audit` command uses.
export {
  type ApiResponse,
  AuditClient,
  type AuditClientOptions,
  type CallOptions,
  type HttpMethod,
  MAX_INGEST_BATCH,
  type RequestOptions,
  type StreamOptions,
} from './client/client.js';
export { AuditApiError, AuditNetworkError, AuditTimeoutError } from './client/errors.js';
export type { ResponseHeaders, RetryInfo } from './client/http.js';
export type { QueryParams, QueryValue } from './client/query.js';
export { isRetryableNetworkError, isRetryableStatus, RETRY_ATTEMPTS, retryDelayMs } from './client/retry.js';
export { createSseParser, type SseMessage } from './client/sse-parser.js';
export type { EventStream } from './client/stream.js';
export type {
  AuditEvent,
  DuplicateEvent,
  EventInput,
  EventPage,
  ExportRecord,
  GdprCandidates,
  GdprErasure,
  GdprExport,
  GdprIdentities,
  GdprSubjectOptions,
  IngestResponse,
  ListParams,
  Me,
  ProblemDocument,
  Webhook,
  WebhookDelivery,
  WebhookFormat,
  WebhookInput,
  WebhookTestResult,
  WebhookUpdate,
} from './client/types.js';
// For receivers of webhook deliveries: check `Audit-Signature` against the raw body.
export { SIGNATURE_HEADER, type VerifyOptions, verifySignature } from './webhooks/signature.js';
