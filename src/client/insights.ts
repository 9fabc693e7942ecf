/**
 * The log at a glance: counts of events, grouped (`…/audit-logs/stats`), and the security
 * review (`…/audit-logs/review`, owners and organization admins only).
 */
import { jsonAnswer } from './answer.js';
import { logsPath, statsPath } from './api-paths.js';
import type { AuditClient } from './client.js';
import type { CallOptions } from './client-options.js';
import type { ReviewParams, SecurityReview, StatsData, StatsParams } from './types.js';

/** How many events match `params`, grouped by one or two dimensions (`group_by`). */
export async function fetchStats(
  client: AuditClient,
  params: StatsParams,
  options: CallOptions = {},
): Promise<StatsData> {
  const answer = await client.requestAnswer(statsPath(client.org), { ...options, query: { ...params } });
  return (jsonAnswer(answer, 'envelope') as { data: StatsData }).data;
}

/** The security review of the organization's log: findings, most severe first. */
export async function fetchSecurityReview(
  client: AuditClient,
  params: ReviewParams = {},
  options: CallOptions = {},
): Promise<SecurityReview> {
  const path = `${logsPath(client.org)}/review`;
  const answer = await client.requestAnswer(path, { ...options, query: { ...params } });
  return (jsonAnswer(answer, 'review') as { data: SecurityReview }).data;
}
