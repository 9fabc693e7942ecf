import type { Finding } from '../../domain/review.js';
import type { KeyCount } from '../../store/review-aggregates.js';
import { dayChart } from '../day-chart.js';
import { finding, iso, plural, quoted } from '../finding.js';

/** Below this many failed sign-ins in the range the finding is info, from it on low. */
export const FAILED_LOGINS_LOW_FROM = 10;
/** People and addresses the finding counts by name. */
export const FAILED_LOGINS_TOP = 5;

export interface FailedLoginsInput {
  total: number;
  first: number | null;
  last: number | null;
  /** Failures by day of the zone (days since 1970-01-01). */
  byDay: ReadonlyMap<number, number>;
  firstDay: number;
  lastDay: number;
  topActors: KeyCount[];
  topIps: KeyCount[];
  /** The oldest failures' ids. */
  ids: string[];
  range: { from: number; to: number };
}

/** failed_logins: every failed sign-in of the range, by day, with the people and addresses most named. */
export function failedLoginsRule(input: FailedLoginsInput): Finding[] {
  if (input.total === 0) return [];
  const { range } = input;
  // Object.fromEntries makes own properties: an address or email such as `__proto__` stays a key.
  const counts = Object.fromEntries([
    ['failed', input.total],
    ...input.topActors.map(({ key, count }) => [`actor ${key}`, count]),
    ...input.topIps.map(({ key, count }) => [`ip ${key}`, count]),
  ]);
  const top = input.topIps[0];
  const window = { from: iso(range.from), to: iso(range.to - 1) };
  return [
    finding({
      id: `failed_logins:${window.from}`,
      rule: 'failed_logins',
      severity: input.total < FAILED_LOGINS_LOW_FROM ? 'info' : 'low',
      summary: `${plural(input.total, 'failed sign-in')}${top ? `, most of them from ${quoted(top.key)} (${top.count})` : ''}`,
      first: input.first,
      last: input.last,
      counts,
      ids: input.ids,
      total: input.total,
      queries: [
        { action: 'user.login_failed', ...window },
        ...input.topIps.slice(0, 3).map(({ key }) => ({ action: 'user.login_failed', ip: key, ...window })),
      ],
      chart: dayChart('Failed sign-ins by day', input.byDay, input.firstDay, input.lastDay),
    }),
  ];
}
