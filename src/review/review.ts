import { type Finding, type ReviewResult, SEVERITIES, type Severity } from '../domain/review.js';
import { zoneSegments } from '../domain/zone-segments.js';
import type { StorePort } from '../store/port.js';
import { type ReviewRow, ROLE_ACTIONS } from '../store/review-queries.js';
import { destructiveFindings, unusualHourFindings, volumeFindings } from './activity.js';
import { compareFindings, iso, MAX_FINDING_IDS, MAX_FINDINGS_PER_RULE } from './finding.js';
import { signInFindings } from './logins.js';
import { apiTokensRule, TOKEN_CREATED, TOKEN_REVOKED } from './rules/api-tokens.js';
import { LOG_INTEGRITY_KINDS, logIntegrityRule } from './rules/log-integrity.js';
import {
  actorRoleOf,
  type EscalationCase,
  escalatedRole,
  roleEscalationRule,
} from './rules/role-escalation.js';
import type { ReviewSources } from './sources.js';

/** What a review is asked: the organization, the range [from, to), the zone, and the time now. */
export interface ReviewRequest {
  orgId: number;
  from: number;
  to: number;
  zone: string;
  now: number;
}

/** The server's own actors (reserved: nobody can send events as them) act as the operator. */
const OPERATOR_IDS = new Set(['system', 'local-admin']);

/**
 * The security review: every rule of src/review/rules over what the store's indexed queries
 * return, the findings most severe first. Pure apart from the reads, which `stores` answers:
 * the stores of one `Engine.read`, so every rule reads the same snapshot. The rules run one
 * after another, awaiting nothing but those reads.
 */
export async function securityReview(
  stores: Pick<StorePort, 'review'>,
  request: ReviewRequest,
): Promise<ReviewResult> {
  const { orgId, from, to, zone } = request;
  const sources: ReviewSources = {
    queries: stores.review,
    aggregates: stores.review,
    orgId,
    from,
    to,
    zone,
    offsets: zoneSegments(zone, from, to),
  };
  const findings: Finding[] = [];
  for (const rule of [
    signInFindings,
    roleFindings,
    tokenFindings,
    unusualHourFindings,
    destructiveFindings,
    volumeFindings,
    integrityFindings,
  ])
    findings.push(...(await rule(sources)));
  findings.sort(compareFindings);
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const found of findings) counts[found.severity]++;
  return {
    from: iso(from),
    to: iso(to),
    generated_at: iso(request.now),
    time_zone: zone,
    counts,
    findings,
  };
}

async function roleFindings({ queries, orgId, from, to }: ReviewSources): Promise<Finding[]> {
  const rows = await queries.byActions(orgId, ROLE_ACTIONS, { from, to }, { detail: 'newRole' });
  const cases: EscalationCase[] = [];
  for (const row of rows) {
    const newRole = escalatedRole(row);
    if (newRole === undefined) continue;
    cases.push({ row, newRole, actorRole: await actorRoleAt(queries, orgId, row) });
    if (cases.length >= MAX_FINDINGS_PER_RULE) break;
  }
  return roleEscalationRule(cases);
}

/** The actor's role when they acted: the newest earlier role event naming them, else the directory's. */
async function actorRoleAt(queries: ReviewSources['queries'], orgId: number, row: ReviewRow) {
  if (row.actorId !== null && OPERATOR_IDS.has(row.actorId)) return 'operator' as const;
  const person = { email: row.actorEmail, id: row.actorId };
  if (person.email === null && person.id === null) return 'unknown' as const;
  const earlier = await queries.roleBefore(orgId, person, row);
  if (earlier)
    return earlier.action === 'organization.owner_transferred' ? 'owner' : actorRoleOf(earlier.detail);
  return actorRoleOf(await queries.directoryRole(orgId, person));
}

async function tokenFindings({ queries, orgId, from, to }: ReviewSources): Promise<Finding[]> {
  const range = { from, to };
  const created = await queries.span(orgId, [TOKEN_CREATED], from, to);
  const revoked = await queries.span(orgId, [TOKEN_REVOKED], from, to);
  return apiTokensRule({
    created: created.count,
    revoked: revoked.count,
    rows: await queries.byActions(orgId, [TOKEN_CREATED, TOKEN_REVOKED], range, { limit: MAX_FINDING_IDS }),
    last: created.last === null ? revoked.last : Math.max(created.last, revoked.last ?? created.last),
    range,
  });
}

async function integrityFindings({ queries, orgId, from, to }: ReviewSources): Promise<Finding[]> {
  const range = { from, to };
  const kinds = LOG_INTEGRITY_KINDS;
  return logIntegrityRule(
    {
      purges: await queries.byActions(orgId, [kinds.purges.action], range, { detail: 'count' }),
      erasures: await queries.byActions(orgId, [kinds.erasures.action], range, { detail: 'count' }),
      accessLoggingOff: await queries.byActions(orgId, [kinds.accessLoggingOff.action], range, {
        detail: 'accessLoggingNew',
        equals: 'false',
      }),
      webhooksRemoved: (
        await queries.byActions(orgId, [kinds.webhooksRemoved.action], range, {
          detail: 'change',
          equals: 'deleted',
        })
      ).filter((row) => row.targetType === 'webhook'),
    },
    range,
  );
}
