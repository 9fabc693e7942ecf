import type { Finding } from '../domain/review.js';
import { groupBursts } from './bursts.js';
import { localDay } from './day-chart.js';
import { MAX_FINDING_IDS, MAX_FINDINGS_PER_RULE } from './finding.js';
import { TOKEN_CREATED } from './rules/api-tokens.js';
import {
  BRUTE_FORCE_AFTERMATH_MS,
  BRUTE_FORCE_SUCCESS_WITHIN_MS,
  type BruteForceCase,
  bruteForceRule,
} from './rules/brute-force.js';
import { FAILED_LOGINS_TOP, failedLoginsRule } from './rules/failed-logins.js';
import { LOGIN_BURST_FAILURES, LOGIN_BURST_WINDOW_MS, loginBurstRule } from './rules/login-burst.js';
import { NEW_LOGIN_IP_LOOKBACK_MS, newLoginIpRule } from './rules/new-login-ip.js';
import {
  type SuspiciousLogin,
  TOKEN_AFTER_LOGIN_WITHIN_MS,
  type TokenAfterLogin,
  tokenAfterLoginRule,
} from './rules/token-after-login.js';
import type { ReviewSources } from './sources.js';

const FAILED = 'user.login_failed';
const LOGIN = 'user.login';
const UNUSUAL_LOCATION = 'security.unusual_login_location';

/** The sign-in rules: failed logins, bursts, brute force, new addresses, tokens after suspicious sign-ins. */
export async function signInFindings(sources: ReviewSources): Promise<Finding[]> {
  const { queries, aggregates, orgId, from, to, offsets } = sources;
  const range = { from, to };

  const span = await queries.span(orgId, [FAILED], from, to);
  const failed = failedLoginsRule({
    total: span.count,
    first: span.first,
    last: span.last,
    byDay: new Map(
      (await aggregates.actionByDay(orgId, FAILED, from, to, offsets)).map(({ day, count }) => [day, count]),
    ),
    firstDay: localDay(from, offsets),
    lastDay: localDay(to - 1, offsets),
    topActors: span.count
      ? await aggregates.topKeys(orgId, FAILED, 'actor', from, to, FAILED_LOGINS_TOP)
      : [],
    topIps: span.count ? await aggregates.topKeys(orgId, FAILED, 'ip', from, to, FAILED_LOGINS_TOP) : [],
    ids: span.count
      ? (await queries.byActions(orgId, [FAILED], range, { limit: MAX_FINDING_IDS })).map((row) => row.id)
      : [],
    range,
  });

  const burst = { windowMs: LOGIN_BURST_WINDOW_MS, threshold: LOGIN_BURST_FAILURES };
  const bursts = {
    ip: groupBursts(await queries.burstRows(orgId, [FAILED], 'ip', range, burst), LOGIN_BURST_WINDOW_MS),
    user: groupBursts(await queries.burstRows(orgId, [FAILED], 'user', range, burst), LOGIN_BURST_WINDOW_MS),
  };

  const cases: BruteForceCase[] = [];
  // Every burst is checked (one index seek each), the oldest first: a flood of decoy bursts from
  // addresses that sort first must not push a burst that ended in a sign-in past the cap.
  for (const ipBurst of [...bursts.ip].sort((a, b) => a.first - b.first)) {
    if (cases.length >= MAX_FINDINGS_PER_RULE) break;
    const login = await queries.firstFromIp(
      orgId,
      LOGIN,
      ipBurst.key,
      ipBurst.first,
      ipBurst.last + BRUTE_FORCE_SUCCESS_WITHIN_MS,
    );
    if (!login) continue;
    const actor = { email: login.actorEmail, id: login.actorId };
    const window = { after: login.ts, until: login.ts + BRUTE_FORCE_AFTERMATH_MS };
    const after =
      actor.email === null && actor.id === null
        ? { rows: [], total: 0 }
        : await queries.actorFromIp(orgId, actor, ipBurst.key, window, MAX_FINDING_IDS);
    cases.push({ burst: ipBurst, login, after: after.rows, afterTotal: after.total });
  }
  const covered = new Set(
    cases.flatMap((found) => [...found.burst.rows, found.login, ...found.after].map((row) => row.id)),
  );

  const newIps = await aggregates.newIpLogins(orgId, from, to, NEW_LOGIN_IP_LOOKBACK_MS);
  const unusualLocations = await queries.byActions(orgId, [UNUSUAL_LOCATION], {
    from: from - TOKEN_AFTER_LOGIN_WITHIN_MS,
    to,
  });
  const suspicious: SuspiciousLogin[] = [
    ...cases.map(({ login }) => ({ ...login, reason: 'ended a login burst' as const })),
    ...unusualLocations.map((row) => ({ ...row, reason: 'unusual location' as const })),
    ...newIps.map((login) => ({ ...login, reason: 'new address' as const })),
  ];
  const tokens: TokenAfterLogin[] = [];
  for (const login of suspicious.slice(0, MAX_FINDINGS_PER_RULE * 5)) {
    if (login.actorEmail === null && login.actorId === null) continue;
    const actor = { email: login.actorEmail, id: login.actorId };
    const until = Math.min(login.ts + TOKEN_AFTER_LOGIN_WITHIN_MS, to - 1);
    for (const token of await queries.actorActions(orgId, actor, TOKEN_CREATED, login.ts, until))
      tokens.push({ login, token: { id: token.id, ts: token.ts, targetName: token.targetName } });
  }

  return [
    ...failed,
    ...loginBurstRule(bursts, covered).slice(0, MAX_FINDINGS_PER_RULE),
    ...bruteForceRule(cases),
    ...tokenAfterLoginRule(tokens, covered).slice(0, MAX_FINDINGS_PER_RULE),
    ...newLoginIpRule(newIps, covered).slice(0, MAX_FINDINGS_PER_RULE),
  ];
}
