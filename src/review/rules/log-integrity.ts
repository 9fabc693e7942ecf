import type { Finding, Severity } from '../../domain/review.js';
import type { ReviewRow } from '../../store/review-queries.js';
import { finding, iso, plural } from '../finding.js';

interface Kind {
  action: string;
  severity: Severity;
  /** The summary, from how many times it happened and the events it took (purges, erasures). */
  summary: (times: number, events: number) => string;
}

/** What the bundled server records when the log itself changes (src/server/retention.ts, admin.ts, routes/). */
export const LOG_INTEGRITY_KINDS = {
  /** Written by the server only; metadata.count is the events purged. */
  purges: {
    action: 'audit.retention_purged',
    severity: 'info',
    summary: (times, events) => `${plural(times, 'retention purge')} removed ${plural(events, 'event')}`,
  },
  /** Written by the server only; metadata.count is the events scrubbed. */
  erasures: {
    action: 'gdpr.user_erased',
    severity: 'info',
    summary: (times, events) => `${plural(times, 'GDPR erasure')} scrubbed ${plural(events, 'event')}`,
  },
  /** `audit server org … --access-logging off`: changes.access_logging.new is false. */
  accessLoggingOff: {
    action: 'settings.organization_updated',
    severity: 'medium',
    summary: (times) => `Access logging was switched off${times > 1 ? ` ${times} times` : ''}`,
  },
  /** A webhook deleted through the API: target type webhook, metadata.change "deleted". */
  webhooksRemoved: {
    action: 'settings.integration_updated',
    severity: 'medium',
    summary: (times) => `${plural(times, 'webhook')} removed`,
  },
} as const satisfies Record<string, Kind>;
export type LogIntegrityKind = keyof typeof LOG_INTEGRITY_KINDS;

/** log_integrity: one finding per kind that happened: info for purges and erasures, medium otherwise. */
export function logIntegrityRule(
  rows: Readonly<Record<LogIntegrityKind, readonly ReviewRow[]>>,
  range: { from: number; to: number },
): Finding[] {
  const window = { from: iso(range.from), to: iso(range.to - 1) };
  return (Object.keys(LOG_INTEGRITY_KINDS) as LogIntegrityKind[]).flatMap((kind) => {
    const list = rows[kind];
    const first = list[0];
    if (!first) return [];
    const { action, severity, summary } = LOG_INTEGRITY_KINDS[kind];
    const events = list.reduce(
      (sum, row) => sum + (Number.isSafeInteger(row.detail) ? Math.max(0, row.detail as number) : 0),
      0,
    );
    const counted = kind === 'purges' || kind === 'erasures';
    return [
      finding({
        id: `log_integrity:${kind}:${window.from}`,
        rule: 'log_integrity',
        severity,
        summary: summary(list.length, events),
        first: first.ts,
        last: (list.at(-1) as ReviewRow).ts,
        counts: { times: list.length, ...(counted ? { events } : {}) },
        ids: list.map((row) => row.id),
        total: list.length,
        queries: [{ action, ...window }],
      }),
    ];
  });
}
