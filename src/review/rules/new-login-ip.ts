import type { Finding } from '../../domain/review.js';
import type { NewIpLogin } from '../../store/review-aggregates.js';
import { finding, iso, quoted } from '../finding.js';

/** How far back a person's sign-in addresses are remembered; no sign-in in it, no finding. */
export const NEW_LOGIN_IP_LOOKBACK_MS = 30 * 86_400_000;

/** new_login_ip (low): one finding per sign-in from an address new for its person. */
export function newLoginIpRule(logins: readonly NewIpLogin[], covered: ReadonlySet<string>): Finding[] {
  return logins
    .filter((login) => !covered.has(login.id))
    .map((login) =>
      finding({
        id: `new_login_ip:${login.id}`,
        rule: 'new_login_ip',
        severity: 'low',
        summary: `${quoted(login.actorEmail ?? login.actorId ?? login.user)} signed in from ${quoted(login.ip)}, an address not seen for them in the 30 days before`,
        first: login.ts,
        last: login.ts,
        counts: { logins: 1 },
        ids: [login.id],
        queries: [
          {
            action: 'user.login',
            actor: login.actorEmail ?? login.actorId ?? login.user,
            from: iso(login.ts - NEW_LOGIN_IP_LOOKBACK_MS),
            to: iso(login.ts),
          },
        ],
      }),
    );
}
