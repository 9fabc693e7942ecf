import { Type } from 'typebox';
import { REVIEW_RULES, SEVERITIES } from '../../domain/review.js';
import { oneOfStrings } from './common.js';
import { ListQuerySchema } from './list.js';

/** The security review (src/server/routes/review.ts). */

export const ReviewQuery = Type.Object(
  {
    since: ListQuerySchema.properties.since,
    from: ListQuerySchema.properties.from,
    to: ListQuerySchema.properties.to,
    tz: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "time zone of the findings' day charts and hour rules; default UTC",
      }),
    ),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

const BarsChart = Type.Object({
  kind: Type.Literal('bars'),
  title: Type.String(),
  bars: Type.Array(
    Type.Object({ label: Type.String(), count: Count, category: Type.Optional(Type.String()) }),
  ),
});

const TimeChart = Type.Object({
  kind: Type.Literal('time'),
  title: Type.String(),
  bucket: oneOfStrings(['day', 'hour'] as const),
  points: Type.Array(Type.Object({ at: Type.String(), count: Count })),
});

export const FindingSchema = Type.Object({
  id: Type.String(),
  rule: oneOfStrings(REVIEW_RULES),
  severity: oneOfStrings(SEVERITIES),
  summary: Type.String({ description: 'one line' }),
  first_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  counts: Type.Record(Type.String(), Count),
  event_ids: Type.Array(Type.String(), {
    maxItems: 50,
    description: 'the events that make the finding, oldest first',
  }),
  events_total: Count,
  queries: Type.Array(Type.Record(Type.String(), Type.String()), {
    description: 'list queries (…/audit-logs parameters) that show the evidence',
  }),
  chart: Type.Optional(Type.Union([BarsChart, TimeChart])),
});

export const ReviewAnswer = Type.Object({
  data: Type.Object({
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    generated_at: Type.String({ format: 'date-time' }),
    time_zone: Type.String(),
    counts: Type.Object({ high: Count, medium: Count, low: Count, info: Count }),
    findings: Type.Array(FindingSchema, {
      description: 'most severe first; within a severity, the oldest first',
    }),
  }),
});
