import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { MAX_REVIEW_DAYS, REVIEW_REQUEST_COST } from '../../domain/request-limits.js';
import { isValidTimeZone } from '../../domain/zoned-time.js';
import { securityReview } from '../../review/review.js';
import { parseFilter } from '../list-query.js';
import { assertOrganizationReader } from '../permissions.js';
import { invalidParameter } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { ReviewAnswer, ReviewQuery } from '../schemas/review.js';

/** The range a review covers when it is given no `since` or `from`. */
export const DEFAULT_REVIEW_MS = 7 * 86_400_000;

/**
 * The security review: findings over the organization's whole log (src/review), so only its
 * owners and organization-wide admins may ask for it.
 */
export function registerReviewRoute(app: FastifyInstance) {
  const { now, engine } = app.services;

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs/review',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'The security review: failed logins, escalations, tokens, unusual access, the log itself',
        params: OrgParams,
        querystring: ReviewQuery,
        response: { 200: ReviewAnswer, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
      config: { rateCost: () => REVIEW_REQUEST_COST },
    },
    async (request) => {
      const principal = organizationFor(request, request.params.org);
      assertOrganizationReader(principal, 'the security review');
      const { query } = request;
      const zone = query.tz ?? 'UTC';
      if (!isValidTimeZone(zone)) throw invalidParameter('tz', `unknown time zone "${zone}"`);
      const at = now();
      const filter = parseFilter({ since: query.since, from: query.from, to: query.to }, principal, at);
      const to = filter.toExclusive ?? at;
      const from = filter.from ?? to - DEFAULT_REVIEW_MS;
      if (from >= to)
        throw invalidParameter(
          query.from === undefined && query.since === undefined ? 'to' : 'from',
          'the range is empty',
        );
      if (to - from > MAX_REVIEW_DAYS * 86_400_000)
        throw invalidParameter(
          query.since !== undefined ? 'since' : 'from',
          `the range is longer than ${MAX_REVIEW_DAYS} days: review it a year at a time`,
        );
      // One read: every rule reads the same snapshot, whatever is written meanwhile.
      const data = await engine.read((stores) =>
        securityReview(stores, { orgId: principal.organization.id, from, to, zone, now: at }),
      );
      return { data };
    },
  );
}
