// The package's API for programs: the same client every `audit` command uses.
export { AuditClient, MAX_INGEST_BATCH } from './client/client.js';
export type {
  ApiResponse,
  AuditClientOptions,
  CallOptions,
  HttpMethod,
  RequestOptions,
  StreamOptions,
} from './client/client-options.js';
export {
  type ApiErrorKind,
  AuditApiError,
  AuditNetworkError,
  AuditResponseError,
  AuditTimeoutError,
} from './client/errors.js';
export type { ResponseHeaders, RetryInfo } from './client/http.js';
export { fetchSecurityReview, fetchStats } from './client/insights.js';
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
  ReviewParams,
  SecurityReview,
  StatsData,
  StatsParams,
  Webhook,
  WebhookDelivery,
  WebhookFormat,
  WebhookInput,
  WebhookTestResult,
  WebhookUpdate,
} from './client/types.js';
// For receivers of webhook deliveries: check `Audit-Signature` against the raw body.
export { SIGNATURE_HEADER, type VerifyOptions, verifySignature } from './webhooks/signature.js';
