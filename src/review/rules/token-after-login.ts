import type { Finding } from '../../domain/review.js';
import { finding, iso, quoted, spanText } from '../finding.js';

/** A token created this long after a suspicious sign-in by the same person is reported. */
export const TOKEN_AFTER_LOGIN_WITHIN_MS = 60 * 60_000;

/** Why a sign-in is suspicious. */
export type SuspicionReason = 'ended a login burst' | 'unusual location' | 'new address';

export interface SuspiciousLogin {
  id: string;
  ts: number;
  ip: string | null;
  actorEmail: string | null;
  actorId: string | null;
  reason: SuspicionReason;
}

export interface TokenAfterLogin {
  login: SuspiciousLogin;
  token: { id: string; ts: number; targetName: string | null };
}

/**
 * token_after_suspicious_login (high): one finding per token, after the earliest suspicious
 * sign-in that explains it. Tokens in `covered` (part of a brute force finding) are left out.
 */
export function tokenAfterLoginRule(
  cases: readonly TokenAfterLogin[],
  covered: ReadonlySet<string>,
): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const { login, token } of [...cases].sort((a, b) => a.login.ts - b.login.ts)) {
    if (covered.has(token.id) || seen.has(token.id)) continue;
    seen.add(token.id);
    const who = login.actorEmail ?? login.actorId ?? 'someone';
    const from = login.ip ? ` from ${quoted(login.ip)}` : '';
    const name = token.targetName ? ` ${quoted(token.targetName)}` : '';
    findings.push(
      finding({
        id: `token_after_suspicious_login:${token.id}`,
        rule: 'token_after_suspicious_login',
        severity: 'high',
        summary: `${quoted(who)} created API token${name} ${spanText(token.ts - login.ts)} after a suspicious sign-in${from} (${login.reason})`,
        first: login.ts,
        last: token.ts,
        counts: { tokens: 1 },
        ids: [login.id, token.id],
        queries: [{ actor: who, from: iso(login.ts), to: iso(token.ts) }],
      }),
    );
  }
  return findings;
}
