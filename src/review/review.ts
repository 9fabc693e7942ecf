import { type Finding, type ReviewResult, SEVERITIES, type Severity } from '../domain/review.js';
import { offsetSegments } from '../domain/zone-offsets.js';
import type { Db } from '../store/database.js';
import { createReviewAggregates } from '../store/review-aggregates.js';
import { createReviewQueries, type ReviewRow, ROLE_ACTIONS } from '../store/review-queries.js';
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
 * return, the findings most severe first. Pure apart from the reads.
 */
export function createSecurityReview(db: Db): (request: ReviewRequest) => ReviewResult {
  const queries = createReviewQueries(db);
  const aggregates = createReviewAggregates(db);
  // One read transaction: every rule reads the same snapshot, whatever is written meanwhile.
  const review = (request: ReviewRequest): ReviewResult => {
    const { orgId, from, to, zone } = request;
    const sources: ReviewSources = {
      queries,
      aggregates,
      orgId,
      from,
      to,
      zone,
      offsets: offsetSegments(zone, from, to),
    };
    const findings = [
      ...signInFindings(sources),
      ...roleFindings(sources),
      ...tokenFindings(sources),
      ...unusualHourFindings(sources),
      ...destructiveFindings(sources),
      ...volumeFindings(sources),
      ...integrityFindings(sources),
    ].sort(compareFindings);
    const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
      Severity,
      number
    >;
    for (const found of findings) counts[found.severity]++;
    return {
      from: iso(from),
      to: iso(to),
      generated_at: iso(request.now),
      time_zone: zone,
      counts,
      findings,
    };
  };
  const inOneSnapshot = db.transaction(review);
  return (request) => inOneSnapshot(request);
}

function roleFindings({ queries, orgId, from, to }: ReviewSources): Finding[] {
  const rows = queries.byActions(orgId, ROLE_ACTIONS, { from, to }, { detail: 'newRole' });
  const cases: EscalationCase[] = [];
  for (const row of rows) {
    const newRole = escalatedRole(row);
    if (newRole === undefined) continue;
    cases.push({ row, newRole, actorRole: actorRoleAt(queries, orgId, row) });
    if (cases.length >= MAX_FINDINGS_PER_RULE) break;
  }
  return roleEscalationRule(cases);
}

/** The actor's role when they acted: the newest earlier role event naming them, else the directory's. */
function actorRoleAt(queries: ReviewSources['queries'], orgId: number, row: ReviewRow) {
  if (row.actorId !== null && OPERATOR_IDS.has(row.actorId)) return 'operator' as const;
  const person = { email: row.actorEmail, id: row.actorId };
  if (person.email === null && person.id === null) return 'unknown' as const;
  const earlier = queries.roleBefore(orgId, person, row);
  if (earlier)
    return earlier.action === 'organization.owner_transferred' ? 'owner' : actorRoleOf(earlier.detail);
  return actorRoleOf(queries.directoryRole(orgId, person));
}

function tokenFindings({ queries, orgId, from, to }: ReviewSources): Finding[] {
  const range = { from, to };
  const created = queries.span(orgId, [TOKEN_CREATED], from, to);
  const revoked = queries.span(orgId, [TOKEN_REVOKED], from, to);
  return apiTokensRule({
    created: created.count,
    revoked: revoked.count,
    rows: queries.byActions(orgId, [TOKEN_CREATED, TOKEN_REVOKED], range, { limit: MAX_FINDING_IDS }),
    last: created.last === null ? revoked.last : Math.max(created.last, revoked.last ?? created.last),
    range,
  });
}

function integrityFindings({ queries, orgId, from, to }: ReviewSources): Finding[] {
  const range = { from, to };
  const kinds = LOG_INTEGRITY_KINDS;
  return logIntegrityRule(
    {
      purges: queries.byActions(orgId, [kinds.purges.action], range, { detail: 'count' }),
      erasures: queries.byActions(orgId, [kinds.erasures.action], range, { detail: 'count' }),
      accessLoggingOff: queries.byActions(orgId, [kinds.accessLoggingOff.action], range, {
        detail: 'accessLoggingNew',
        equals: 'false',
      }),
      webhooksRemoved: queries
        .byActions(orgId, [kinds.webhooksRemoved.action], range, { detail: 'change', equals: 'deleted' })
        .filter((row) => row.targetType === 'webhook'),
    },
    range,
  );
}
