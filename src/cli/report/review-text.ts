/**
 * The words every rendering of a security review shares (terminal, Markdown, PDF): severity
 * labels, the range, the counts. Every server string is sanitized here or by the caller.
 */
import type { SecurityReview } from '../../client/types.js';
import { SEVERITIES, type Severity, severityRank } from '../../domain/review.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp } from '../../format/time-format.js';

export type Finding = SecurityReview['findings'][number];

/** Event ids listed per finding before "+N more". */
const MAX_LISTED_IDS = 10;

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFO',
};

/** What a rendering shows of the review above its findings. */
export function reviewHeading(review: SecurityReview, zone: string): { period: string; findings: string } {
  return { period: rangeText(review, zone), findings: severityCountsText(review) };
}

/** What every rendering shows of a finding besides its summary, rule, queries and chart. */
export interface FindingFacts {
  severity: Severity;
  label: string;
  /** whenText: '' when the finding has no time. */
  when: string;
  /** findingCountsText: '' when it has no counts. */
  counts: string;
  /** listedIds. */
  ids: string[];
  more: number;
}

export function findingFacts(finding: Finding, zone: string): FindingFacts {
  const severity = severityOf(finding);
  return {
    severity,
    label: SEVERITY_LABEL[severity],
    when: whenText(finding, zone),
    counts: findingCountsText(finding),
    ...listedIds(finding),
  };
}

/** The finding's severity if it is one we know; an unknown one (a newer server) reads as info. */
function severityOf(finding: Finding): Severity {
  return (SEVERITIES as readonly string[]).includes(finding.severity) ? finding.severity : 'info';
}

/** `2026-11-29 10:00 → 2026-12-06 10:00 (Europe/Berlin)`. */
function rangeText(review: SecurityReview, zone: string): string {
  return `${minutes(review.from, zone)} → ${minutes(review.to, zone)} (${zone})`;
}

/** `1 high · 2 medium · 0 low · 3 info`. */
function severityCountsText(review: SecurityReview): string {
  return SEVERITIES.map((severity) => `${count(review.counts?.[severity])} ${severity}`).join(' · ');
}

/** `2026-12-01 09:14 → 09:52`, one time when both are equal, '' when there is none. */
function whenText(finding: Finding, zone: string): string {
  const first = finding.first_at ? minutes(finding.first_at, zone) : '';
  const last = finding.last_at ? minutes(finding.last_at, zone) : '';
  if (!first || !last || first === last) return first || last;
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  return `${first} → ${sameDay ? last.slice(11) : last}`;
}

/** `failed 25 · succeeded 1 · after 2` (names sanitized). */
function findingCountsText(finding: Finding): string {
  return Object.entries(finding.counts ?? {})
    .map(([name, value]) => `${sanitizeForDisplay(name.replaceAll('_', ' '))} ${count(value)}`)
    .join(' · ');
}

/** The first MAX_LISTED_IDS event ids (sanitized), and how many more the finding has. */
function listedIds(finding: Finding): { ids: string[]; more: number } {
  const all = Array.isArray(finding.event_ids) ? finding.event_ids : [];
  const ids = all.slice(0, MAX_LISTED_IDS).map((id) => sanitizeForDisplay(id));
  const total = Math.max(finding.events_total ?? 0, all.length);
  return { ids, more: total - ids.length };
}

/** The findings at or above `threshold` (what --fail-on counts). */
export function findingsAtOrAbove(review: SecurityReview, threshold: Severity): Finding[] {
  return review.findings.filter((finding) => severityRank(severityOf(finding)) >= severityRank(threshold));
}

const numbers = new Intl.NumberFormat('en-US');

export function count(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? numbers.format(value) : '0';
}

function minutes(iso: string, zone: string): string {
  const text = formatTimestamp(iso, zone);
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(text) ? text.slice(0, 16) : text;
}
