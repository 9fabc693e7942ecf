import type { Finding } from '../../domain/review.js';
import type { Burst } from '../bursts.js';
import { finding, hourKey, iso, plural, quoted, spanText } from '../finding.js';

/** A login burst: this many `user.login_failed`… */
export const LOGIN_BURST_FAILURES = 10;
/** …from one address, or for one person, within this window. */
export const LOGIN_BURST_WINDOW_MS = 10 * 60_000;

/**
 * login_burst (medium): one finding per address or person and burst. Failures already shown as
 * part of a brute force that succeeded (`covered`) are not reported again: a burst all of whose
 * failures are covered is left out.
 */
export function loginBurstRule(
  bursts: { ip: Burst[]; user: Burst[] },
  covered: ReadonlySet<string>,
): Finding[] {
  const findings: Finding[] = [];
  for (const [by, list] of [
    ['ip', bursts.ip],
    ['user', bursts.user],
  ] as const) {
    for (const burst of list) {
      if (burst.rows.every((row) => covered.has(row.id))) continue;
      const others = new Set(
        burst.rows.map((row) => (by === 'ip' ? (row.actorEmail ?? row.actorId) : row.ip)),
      );
      const window = { from: iso(burst.first), to: iso(burst.last) };
      findings.push(
        finding({
          id: `login_burst:${by}:${burst.key}:${hourKey(burst.first)}`,
          rule: 'login_burst',
          severity: 'medium',
          summary: `${plural(burst.rows.length, 'failed sign-in')} ${by === 'ip' ? 'from' : 'for'} ${quoted(burst.key)} within ${spanText(burst.last - burst.first)}`,
          first: burst.first,
          last: burst.last,
          counts: { failed: burst.rows.length, [by === 'ip' ? 'users' : 'ips']: others.size },
          ids: burst.rows.map((row) => row.id),
          total: burst.rows.length,
          queries: [{ action: 'user.login_failed', [by === 'ip' ? 'ip' : 'actor']: burst.key, ...window }],
        }),
      );
    }
  }
  return findings;
}
