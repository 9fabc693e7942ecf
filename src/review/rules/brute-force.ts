import type { Finding } from '../../domain/review.js';
import type { ReviewRow } from '../../store/review-queries.js';
import type { Burst } from '../bursts.js';
import { finding, hourKey, iso, MAX_FINDING_IDS, plural, quoted } from '../finding.js';

/** The sign-in must come within this long after the burst's last failure. */
export const BRUTE_FORCE_SUCCESS_WITHIN_MS = 60 * 60_000;
/** What the signed-in person did from the address this long after is part of the evidence. */
export const BRUTE_FORCE_AFTERMATH_MS = 24 * 60 * 60_000;
/** Ids of the aftermath kept when the failures alone would fill the finding's ids. */
const AFTERMATH_IDS = 24;

/** An address's login burst, the sign-in from it that followed, and what came after. */
export interface BruteForceCase {
  burst: Burst;
  login: ReviewRow;
  after: ReviewRow[];
  afterTotal: number;
}

/** brute_force_succeeded (high): failures first, then the sign-in, then what the person did. */
export function bruteForceRule(cases: readonly BruteForceCase[]): Finding[] {
  return cases.map(({ burst, login, after, afterTotal }) => {
    const tail = [login.id, ...after.slice(0, AFTERMATH_IDS).map((row) => row.id)];
    const ids = [...burst.rows.slice(0, MAX_FINDING_IDS - tail.length).map((row) => row.id), ...tail];
    const who = login.actorEmail ?? login.actorId ?? login.actorName ?? 'someone';
    const last = Math.max(login.ts, after.at(-1)?.ts ?? login.ts);
    const actions = [...new Set(after.map((row) => row.action))].slice(0, 3).join(', ');
    return finding({
      id: `brute_force_succeeded:ip:${burst.key}:${hourKey(burst.first)}`,
      rule: 'brute_force_succeeded',
      severity: 'high',
      summary:
        `Possible brute force that succeeded: ${plural(burst.rows.length, 'failed sign-in')} from ${quoted(burst.key)}, ` +
        `then ${quoted(who)} signed in from it` +
        (afterTotal > 0
          ? ` and did ${plural(afterTotal, 'thing')} within 24 hours (${quoted(actions)})`
          : ''),
      first: burst.first,
      last,
      counts: { failed: burst.rows.length, succeeded: 1, after: afterTotal },
      ids,
      total: burst.rows.length + 1 + afterTotal,
      queries: [{ ip: burst.key, from: iso(burst.first), to: iso(last) }],
    });
  });
}
