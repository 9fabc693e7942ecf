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

export interface IngestResponse {
  data: AuditEvent[];
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

export interface GdprExport {
  data: AuditEvent[];
  summary: {
    count: number;
    by_category: Record<string, number>;
    first: string | null;
    last: string | null;
    identities: { ids: string[]; emails: string[]; names: string[] };
  };
}

export interface GdprErasure {
  pseudonym: string;
  events_matched: number;
  events_changed: number;
  accounts_changed: number;
  dry_run: boolean;
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
