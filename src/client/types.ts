import type { Category } from '../domain/categories.js';
import type { AuditEvent, EventInput } from '../domain/event.js';

/** The list endpoint's query parameters, as a program sets them. Arrays become comma lists. */
export interface ListParams {
  category?: Category[];
  action?: string[];
  actor?: string;
  actor_id?: string;
  target?: string;
  resource?: string;
  ip?: string;
  team_id?: string;
  q?: string;
  /** ISO 8601 instant or YYYY-MM-DD (UTC day). */
  from?: string;
  to?: string;
  since?: string;
  detailed?: boolean;
  order?: 'asc' | 'desc';
  per_page?: number;
  cursor?: string;
  page?: number;
  after?: string;
  /** ISO instant: only events received before it (pins an export's upper bound). */
  received_before?: string;
}

export interface EventPage {
  data: AuditEvent[];
  pagination: { per_page: number; next_cursor: string | null; has_more: boolean };
}

/** How ingest answers an event whose id was already stored: its id, never the stored event. */
export interface DuplicateEvent {
  id: string;
  duplicate: true;
}

export interface IngestResponse {
  /** Per event sent, in order: the stored event, or a DuplicateEvent. */
  data: (AuditEvent | DuplicateEvent)[];
  summary: { received: number; created: number; duplicates: number };
}

export interface Me {
  user: { id: string; name: string; email: string; role: string; team: { id: string; name: string } | null };
  organization: { slug: string; name: string; plan: string; retention_days: number | null };
  token: { prefix: string; scope: string; name: string | null };
}

/** What `recordExport` reports; the server turns it into one `audit.exported` event. */
export interface ExportRecord {
  kind: 'export' | 'backup' | 'gdpr-export';
  format: string;
  count: number;
  files?: number;
  filters?: Record<string, string>;
}

/** More of the person's identifiers, which the caller confirms (for instance a dry run's candidates). */
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
export interface GdprIdentities {
  ids: string[];
  emails: string[];
  names: string[];
  ip_addresses: string[];
  user_agents: string[];
  /** Directory accounts named exactly. */
  accounts: string[];
}

/** Identifiers stored events pair with the person: shown, never followed, until confirmed. */
export interface GdprCandidates {
  ids: string[];
  emails: string[];
  names: string[];
}

export interface GdprExport {
  data: AuditEvent[];
  summary: {
    count: number;
    by_category: Record<string, number>;
    first: string | null;
    last: string | null;
    identities: GdprIdentities;
    candidates: GdprCandidates;
  };
}

export interface GdprErasure {
  pseudonym: string;
  events_matched: number;
  events_changed: number;
  accounts_changed: number;
  dry_run: boolean;
  /** Dry runs only. */
  subject?: GdprIdentities;
  /** Dry runs only. */
  candidates?: GdprCandidates;
}

export type WebhookFormat = 'json' | 'slack' | 'discord' | 'teams';

/** A webhook as the API shows it: never its secret; the URL masked after creation. */
export interface Webhook {
  id: string;
  /** Scheme, host and at most the first path segment: chat webhook URLs are credentials. */
  url: string;
  format: WebhookFormat;
  /** Exact actions and prefix patterns such as `security.*`. */
  actions: string[];
  /** Empty: any category. */
  categories: string[];
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookInput {
  url: string;
  /** A comma list or an array: `user.login_failed,security.*`. */
  actions: string | string[];
  /** A comma list or an array; absent or empty: any category. */
  categories?: string | string[];
  /** @deprecated the earlier spelling of `categories`, still accepted. */
  category?: string | string[];
  /** Default `json`. */
  format?: WebhookFormat;
  /** At least 16 characters; generated (and returned once) when absent. */
  secret?: string;
  description?: string;
}

export interface WebhookUpdate {
  url?: string;
  actions?: string | string[];
  /** An empty list means any category again. */
  categories?: string | string[];
  /** @deprecated the earlier spelling of `categories`, still accepted. */
  category?: string | string[];
  format?: WebhookFormat;
  description?: string | null;
}

/** The answer to creating a webhook: the only time its signing secret is shown. */
export interface CreatedWebhook {
  webhook: Webhook;
  secret: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** Also the `Audit-Delivery` header the receiver saw. */
  id: number;
  event_id: string;
  action: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt; null when it got no answer. */
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  next_attempt_at: string | null;
}

/** What the receiver answered to a sample event. `status` null: no answer, see `error`. */
export interface WebhookTestResult {
  status: number | null;
  /** A known chat service's answer (first 2 KB, control characters removed); empty for any other. */
  body: string;
  duration_ms: number;
  error: string | null;
  event_id: string;
}

/** An RFC 9457 problem document as the server sends it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  param?: string;
}

export type { AuditEvent, EventInput };
