import type { Finding, ReviewRule, Severity } from '../domain/review.js';
import { severityRank } from '../domain/review.js';

/** Event ids a finding carries at most (the answer's schema says so too). */
export const MAX_FINDING_IDS = 50;

/** Findings one rule reports at most: past it, the oldest are kept (a flood stays one answer). */
export const MAX_FINDINGS_PER_RULE = 200;

/** Characters of attacker-controlled text (emails, addresses, roles) a summary or id quotes. */
const MAX_QUOTED = 120;

const MINUTE_MS = 60_000;

export const iso = (ms: number) => new Date(ms).toISOString();

/** `2026-12-01T09`: the UTC hour an id names, so a finding keeps its id as evidence grows. */
export const hourKey = (ms: number) => iso(ms).slice(0, 13);

/** Attacker-controlled text cut to a length a one-line summary can carry. */
export function quoted(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** `4 minutes`, `1 hour 10 minutes`: a span for a summary. */
export function spanText(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / MINUTE_MS));
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours} hour${hours === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}

export const plural = (count: number, word: string, many = `${word}s`) =>
  `${count} ${count === 1 ? word : many}`;

/** A finding with the defaults filled in: ids capped, total counted, times from the events. */
export function finding(fields: {
  id: string;
  rule: ReviewRule;
  severity: Severity;
  summary: string;
  first: number | null;
  last: number | null;
  counts: Record<string, number>;
  ids: string[];
  total?: number;
  queries: Record<string, string>[];
  chart?: Finding['chart'];
}): Finding {
  return {
    id: fields.id,
    rule: fields.rule,
    severity: fields.severity,
    summary: fields.summary,
    first_at: fields.first === null ? null : iso(fields.first),
    last_at: fields.last === null ? null : iso(fields.last),
    counts: fields.counts,
    event_ids: fields.ids.slice(0, MAX_FINDING_IDS),
    events_total: fields.total ?? fields.ids.length,
    queries: fields.queries,
    ...(fields.chart ? { chart: fields.chart } : {}),
  };
}

/** Most severe first, then the oldest, then by id: the order of the answer. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = severityRank(b.severity) - severityRank(a.severity);
  if (bySeverity !== 0) return bySeverity;
  if (a.first_at !== b.first_at) {
    if (a.first_at === null) return 1;
    if (b.first_at === null) return -1;
    return a.first_at < b.first_at ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
