/** The security review's findings (`…/audit-logs/review`, `audit report security`). */

export const SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Larger is more severe: high 3, medium 2, low 1, info 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

/** The review's rules; each finding names the rule that produced it. */
export const REVIEW_RULES = [
  'failed_logins',
  'login_burst',
  'brute_force_succeeded',
  'role_escalation',
  'api_tokens',
  'token_after_suspicious_login',
  'new_login_ip',
  'unusual_hour',
  'destructive_burst',
  'volume_spike',
  'log_integrity',
] as const;
export type ReviewRule = (typeof REVIEW_RULES)[number];

/** A chart a finding carries: bars by label, or counts over time buckets (every bucket present). */
export type FindingChart =
  | { kind: 'bars'; title: string; bars: { label: string; count: number; category?: string }[] }
  | { kind: 'time'; title: string; bucket: 'day' | 'hour'; points: { at: string; count: number }[] };

export interface Finding {
  /** Stable for the same evidence: the rule and what it is about, e.g. `login_burst:ip:198.51.100.77:2026-12-01T09`. */
  id: string;
  rule: ReviewRule;
  severity: Severity;
  /** One line, plain text (the server's words; the CLI sanitizes before printing). */
  summary: string;
  first_at: string | null;
  last_at: string | null;
  /** Named numbers, e.g. { failed: 25, succeeded: 1 }. */
  counts: Record<string, number>;
  /** The events that make the finding, oldest first, at most 50; `events_total` counts them all. */
  event_ids: string[];
  events_total: number;
  /** List queries (as `…/audit-logs` parameters) that show the evidence; the CLI prints each as `audit logs …`. */
  queries: Record<string, string>[];
  chart?: FindingChart;
}

export interface ReviewResult {
  from: string;
  to: string;
  generated_at: string;
  time_zone: string;
  counts: Record<Severity, number>;
  /** Most severe first; within a severity, the oldest first. */
  findings: Finding[];
}
