import { Type } from 'typebox';
import { MAX_STATS_GROUPS, STATS_DIMENSIONS } from '../../domain/stats.js';
import { ListQuerySchema } from './list.js';

/** Counts of the events a list query matches, grouped (src/server/routes/stats.ts). */

const filters = ListQuerySchema.properties;

export const StatsQuery = Type.Object(
  {
    category: filters.category,
    action: filters.action,
    actor: filters.actor,
    actor_id: filters.actor_id,
    target: filters.target,
    resource: filters.resource,
    ip: filters.ip,
    team_id: filters.team_id,
    q: filters.q,
    from: filters.from,
    to: filters.to,
    since: filters.since,
    detailed: filters.detailed,
    // Strings here and checked by the route: `group_by=day,category` is one comma-separated value.
    group_by: Type.Array(Type.String({ maxLength: 64 }), {
      minItems: 1,
      maxItems: 2,
      description: `one or two dimensions, comma-separated or repeated: ${STATS_DIMENSIONS.join(', ')} (at most one of day and hour)`,
    }),
    top: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_STATS_GROUPS,
        description: `keep the N largest groups of the non-time dimensions and sum the rest into one group marked other; default: all, up to ${MAX_STATS_GROUPS.toLocaleString('en-US')}`,
      }),
    ),
    tz: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'time zone of day and hour buckets: an IANA name such as Europe/Berlin, or UTC (the default)',
      }),
    ),
  },
  { additionalProperties: false },
);

const GroupKey = (description: string) =>
  Type.Optional(Type.Union([Type.String(), Type.Null()], { description }));

export const StatsGroup = Type.Object({
  category: GroupKey('the category'),
  action: GroupKey('the action'),
  actor: GroupKey("the actor's email, else id, else name; null when the event has none"),
  ip: GroupKey('the IP address; null when the event has none'),
  team: GroupKey('the team name, else id; null when the event has none'),
  target: GroupKey("the target's name, else id; null when the event has none"),
  day: GroupKey('YYYY-MM-DD in the time zone'),
  hour: GroupKey('YYYY-MM-DDTHH:00±HH:MM: the start of the hour in the time zone'),
  count: Type.Integer({ minimum: 0 }),
  other: Type.Optional(
    Type.Literal(true, { description: 'the groups top left out, summed; its non-time keys are null' }),
  ),
});

export const StatsAnswer = Type.Object({
  data: Type.Object({
    group_by: Type.Array(Type.String()),
    time_zone: Type.String({ description: 'the zone day and hour buckets are cut in' }),
    from: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description:
        'start of the range counted (the first bucket for day and hour); null: from the first event',
    }),
    to: Type.String({
      format: 'date-time',
      description: 'end of the range, exclusive (now unless to was given)',
    }),
    total: Type.Integer({ minimum: 0, description: 'every matching event' }),
    top: Type.Union([Type.Integer(), Type.Null()]),
    groups: Type.Array(StatsGroup, {
      description:
        'time buckets in order, every bucket of the range present (zero when empty); within a bucket, or without a time dimension, the largest groups first and other last',
    }),
  }),
});
