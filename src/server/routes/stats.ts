import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { isTimeDimension, STATS_DIMENSIONS, type StatsDimension } from '../../domain/stats.js';
import { TooManyBucketsError } from '../../domain/stats-buckets.js';
import { isValidTimeZone } from '../../domain/zoned-time.js';
import { parseFilter, searchRateCost } from '../list-query.js';
import { visibilityOf } from '../permissions.js';
import { invalidParameter } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { StatsAnswer, StatsQuery } from '../schemas/stats.js';

/** `GET …/audit-logs/stats`: counts of what the list would show, grouped (docs/api.md, Stats). */
export function registerStatsRoute(app: FastifyInstance) {
  const { now } = app.services;
  const { stats } = app.services.engine.stores;

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/organizations/:org/audit-logs/stats',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'Count audit events, grouped by up to two dimensions',
        params: OrgParams,
        querystring: StatsQuery,
        response: { 200: StatsAnswer, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
      config: { rateCost: searchRateCost },
    },
    async (request) => {
      const principal = organizationFor(request, request.params.org);
      const scope = visibilityOf(principal);
      const { group_by: groupBy, top, tz, ...filters } = request.query;
      const at = now();
      const filter = parseFilter(filters, principal, at);
      const dimensions = parseDimensions(groupBy);
      if (top !== undefined && dimensions.every(isTimeDimension)) {
        throw invalidParameter('top', 'needs a dimension other than day and hour to rank');
      }
      const timeZone = tz ?? 'UTC';
      if (!isValidTimeZone(timeZone)) {
        throw invalidParameter('tz', 'expected an IANA time zone such as Europe/Berlin, or UTC');
      }
      try {
        const data = await stats.stats(principal.organization.id, filter, scope, {
          dimensions,
          timeZone,
          top,
          now: at,
        });
        return { data };
      } catch (error) {
        if (error instanceof TooManyBucketsError) throw invalidParameter('group_by', error.message);
        throw error;
      }
    },
  );
}

/** `group_by=day,category` or `group_by=day&group_by=category`: one or two known dimensions. */
function parseDimensions(values: readonly string[]): StatsDimension[] {
  const names = values
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  const known = `one or two of ${STATS_DIMENSIONS.join(', ')}`;
  if (names.length === 0) throw invalidParameter('group_by', `expected ${known}`);
  const unknown = names.find((name) => !(STATS_DIMENSIONS as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw invalidParameter('group_by', `unknown dimension "${unknown}": expected ${known}`);
  if (names.length > 2) throw invalidParameter('group_by', `at most two dimensions, not ${names.length}`);
  if (names[0] === names[1]) throw invalidParameter('group_by', `names ${names[0]} twice`);
  const dimensions = names as StatsDimension[];
  if (dimensions.filter(isTimeDimension).length > 1) {
    throw invalidParameter('group_by', 'at most one of day and hour');
  }
  return dimensions;
}
