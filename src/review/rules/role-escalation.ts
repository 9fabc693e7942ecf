import type { Finding, Severity } from '../../domain/review.js';
import type { ReviewRow } from '../../store/review-queries.js';
import { finding, iso, quoted } from '../finding.js';

const HOUR_MS = 3_600_000;

/** What the actor's role was when they gave the role: read strictly (see actorRoleOf). */
export type ActorRole = 'owner' | 'admin' | 'member' | 'operator' | 'unknown';

/** A role event that gives someone owner or admin, and what its actor was at the time. */
export interface EscalationCase {
  row: ReviewRow;
  newRole: 'owner' | 'admin';
  actorRole: ActorRole;
}

/**
 * The role a role event gives, read leniently: `OWNER `, `Admin` or `o\u200bwner` counts as an
 * escalation (a sender's spelling must not hide one). undefined when it gives neither.
 */
export function escalatedRole(row: ReviewRow): 'owner' | 'admin' | undefined {
  if (row.action === 'organization.owner_transferred') return 'owner';
  if (typeof row.detail !== 'string') return undefined;
  const folded = row.detail
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  return folded === 'owner' || folded === 'admin' ? folded : undefined;
}

/**
 * A role as evidence of the actor's standing, read strictly: only exactly `owner`, `admin` or
 * `member` is believed, so a forged `OWNER ` or `__proto__` never lowers a finding's severity.
 */
export function actorRoleOf(role: unknown): ActorRole {
  return role === 'owner' || role === 'admin' || role === 'member' ? role : 'unknown';
}

const SEVERITY: Record<ActorRole, Severity> = {
  // Listed, as the review lists every escalation, but no alert: an owner may give any role.
  owner: 'info',
  operator: 'info',
  admin: 'high',
  member: 'high',
  unknown: 'medium',
};

const STANDING: Record<ActorRole, string> = {
  owner: 'an owner',
  operator: "the server's operator",
  admin: 'an admin, not an owner,',
  member: 'a member, not an owner,',
  unknown: 'of unknown role',
};

/** role_escalation: info by an owner, high by someone who was not one, medium when unknown. */
export function roleEscalationRule(cases: readonly EscalationCase[]): Finding[] {
  return cases.map(({ row, newRole, actorRole }) => {
    const actor = row.actorEmail ?? row.actorId ?? row.actorName ?? 'someone';
    const target = row.targetName ?? row.targetId ?? 'someone';
    const from = row.ip ? ` from ${quoted(row.ip)}` : '';
    const what =
      row.action === 'organization.owner_transferred'
        ? `transferred ownership to ${quoted(target)}`
        : `made ${quoted(target)} ${newRole}`;
    return finding({
      id: `role_escalation:${row.id}`,
      rule: 'role_escalation',
      severity: SEVERITY[actorRole],
      summary: `${quoted(actor)} (${STANDING[actorRole]} at the time) ${what}${from}`,
      first: row.ts,
      last: row.ts,
      counts: { escalations: 1 },
      ids: [row.id],
      queries: [
        { action: row.action, from: iso(row.ts), to: iso(row.ts) },
        { actor, from: iso(row.ts - HOUR_MS), to: iso(row.ts + HOUR_MS) },
      ],
    });
  });
}
