// The answers' shapes are derived from the server's TypeBox schemas, the one contract behind
// /openapi.json. Type-only imports: erased at build, so the client loads no server code.
import type { Static } from 'typebox';
import type { Category } from '../domain/categories.js';
import type { AuditEvent, EventInput } from '../domain/event.js';
import type { StatsDimension } from '../domain/stats.js';
import type { MeSchema, ProblemSchema } from '../server/schemas/common.js';
import type { DuplicateSchema, ExportRecordSchema, IngestResponseSchema } from '../server/schemas/event.js';
import type {
  CandidatesSchema,
  ErasureAnswer,
  ExportAnswer,
  IdentitiesSchema,
} from '../server/schemas/gdpr.js';
import type { ListQuery, ListResponseSchema } from '../server/schemas/list.js';
import type { ReviewAnswer, ReviewQuery } from '../server/schemas/review.js';
import type { StatsAnswer, StatsQuery } from '../server/schemas/stats.js';
import type {
  CreateWebhookBody,
  DeliverySchema,
  DeliveryStatusSchema,
  TestResultSchema,
  UpdateWebhookBody,
  WebhookSchema,
} from '../server/schemas/webhooks.js';

/**
 * The list endpoint's query parameters, as a program sets them: the schema's, with categories
 * typed (the server refuses an unknown one with a 400 anyway). Arrays become comma lists.
 */
export type ListParams = Omit<ListQuery, 'category'> & { category?: Category[] };

export type EventPage = Static<typeof ListResponseSchema>;

/** The stats endpoint's query: the list filters, the dimensions to group by, `top` and `tz`. */
export type StatsParams = Omit<Static<typeof StatsQuery>, 'category' | 'group_by'> & {
  category?: Category[];
  group_by: StatsDimension[];
};

/** Counts grouped by one or two dimensions: every time bucket of the range, the largest groups first. */
export type StatsData = Static<typeof StatsAnswer>['data'];

/** How ingest answers an event whose id was already stored: its id, never the stored event. */
export type DuplicateEvent = Static<typeof DuplicateSchema>;

/** Per event sent, in order: the stored event, or a DuplicateEvent. */
export type IngestResponse = Static<typeof IngestResponseSchema>;

export type Me = Static<typeof MeSchema>;

/** What `recordExport` reports; the server turns it into one `audit.exported` event. */
export type ExportRecord = Static<typeof ExportRecordSchema>;

// The GDPR request options stay hand-written: readonly lists a program passes in, from which the
// client builds the request body (SubjectBody on the server).

/** The learned IP addresses and user agents a dry run listed, confirmed for the erasure. */
export interface GdprConfirmedContext {
  ip_addresses: readonly string[];
  user_agents: readonly string[];
}

export interface GdprSubjectOptions {
  /** Emails, ids or IP addresses. */
  identifiers?: readonly string[] | undefined;
  names?: readonly string[] | undefined;
}

/** Exactly who a GDPR request covers. */
export type GdprIdentities = Static<typeof IdentitiesSchema>;

/** Identifiers stored events pair with the person: shown, never followed, until confirmed. */
export type GdprCandidates = Static<typeof CandidatesSchema>;

export type GdprExport = Static<typeof ExportAnswer>;

/** `subject` and `candidates`: dry runs only. */
export type GdprErasure = Static<typeof ErasureAnswer>['data'];

export type { WebhookFormat } from '../domain/webhook-rules.js';

/** A webhook as the API shows it: never its secret; the URL masked after creation. */
export type Webhook = Static<typeof WebhookSchema>;

/** `actions` and `categories`: a comma list or an array; `secret` is generated when absent. */
export type WebhookInput = Static<typeof CreateWebhookBody>;

/** An empty `categories` list means any category again. */
export type WebhookUpdate = Static<typeof UpdateWebhookBody>;

/** The answer to creating a webhook: the only time its signing secret is shown. */
export interface CreatedWebhook {
  webhook: Webhook;
  secret: string;
}

export type WebhookDeliveryStatus = Static<typeof DeliveryStatusSchema>;

/** One delivery; its `id` is also the `Audit-Delivery` header the receiver saw. */
export type WebhookDelivery = Static<typeof DeliverySchema>;

/** What the receiver answered to a sample event. `status` null: no answer, see `error`. */
export type WebhookTestResult = Static<typeof TestResultSchema>['data'];

/** The security review's query: `since` (default 7d) or `from`/`to`, and `tz` (default UTC). */
export type ReviewParams = Static<typeof ReviewQuery>;

/** The security review: its range and zone, counts per severity, and the findings, most severe first. */
export type SecurityReview = Static<typeof ReviewAnswer>['data'];

/** An RFC 9457 problem document as the server sends it. */
export type ProblemDocument = Static<typeof ProblemSchema>;

export type { AuditEvent, EventInput };
