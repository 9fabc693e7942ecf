import { type Static, Type } from 'typebox';
import { CATEGORIES } from '../../domain/categories.js';
import { ACTOR_TYPES, type ActorType, type AuditEvent } from '../../domain/event.js';
import { EVENT_ID_RULE, EVENT_ID_SOURCE } from '../../domain/event-id.js';
import { MAX_BATCH_EVENTS } from '../../domain/request-limits.js';
import { NullableJsonObject, NullableString, nullable, oneOfStrings } from './common.js';

const text = (maxLength: number) => Type.String({ maxLength });
const CategorySchema = oneOfStrings(CATEGORIES);
const ActorTypeSchema = oneOfStrings(ACTOR_TYPES);

export const EventSchema = Type.Object(
  {
    id: Type.String({ examples: ['log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E'] }),
    timestamp: Type.String({ format: 'date-time' }),
    category: CategorySchema,
    action: Type.String({ examples: ['tunnel.deleted'] }),
    description: NullableString(),
    actor: nullable(
      Type.Object({
        id: NullableString(),
        name: NullableString(),
        email: NullableString(),
        type: Type.Unsafe<ActorType | null>({ type: ['string', 'null'], enum: [...ACTOR_TYPES, null] }),
      }),
    ),
    target: nullable(Type.Object({ type: NullableString(), id: NullableString(), name: NullableString() })),
    context: nullable(
      Type.Object({
        ip_address: NullableString(),
        user_agent: NullableString(),
        team_id: NullableString(),
        team_name: NullableString(),
      }),
    ),
    changes: NullableJsonObject,
    metadata: NullableJsonObject,
  },
  { $id: 'AuditEvent' },
);

/** Holds at build time: a change to the schema or to the domain's event alone fails the build. */
export type EventSchemaIsTheDomainEvent = Assert<Same<Static<typeof EventSchema>, AuditEvent>>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** A reference to the registered `AuditEvent` schema, typed as the domain's event. */
export const AuditEventRef = Type.Unsafe<AuditEvent>(Type.Ref('AuditEvent'));

const optionalPart = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Optional(Type.Union([Type.Object(properties), Type.Null()]));

/** A sender's own event id; the server makes `log_` + a ULID when there is none. */
export const SenderEventIdSchema = Type.String({
  pattern: EVENT_ID_SOURCE,
  description: `${EVENT_ID_RULE}; case-sensitive. Sending the same id again is answered as a duplicate`,
  examples: ['log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E', 'log_1a2b3c4d5e6f'],
});

/** What a sender may post. Only `action` is required. */
export const EventInputSchema = Type.Object({
  id: Type.Optional(SenderEventIdSchema),
  timestamp: Type.Optional(text(40)),
  category: Type.Optional(CategorySchema),
  action: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$', maxLength: 128 }),
  description: Type.Optional(text(2000)),
  actor: optionalPart({
    id: Type.Optional(text(256)),
    name: Type.Optional(text(256)),
    email: Type.Optional(text(320)),
    type: Type.Optional(ActorTypeSchema),
  }),
  target: optionalPart({
    type: Type.Optional(text(64)),
    id: Type.Optional(text(256)),
    name: Type.Optional(text(512)),
  }),
  context: optionalPart({
    ip_address: Type.Optional(text(64)),
    user_agent: Type.Optional(text(1024)),
    team_id: Type.Optional(text(256)),
    team_name: Type.Optional(text(256)),
  }),
  changes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  metadata: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
});
export type EventInputBody = Static<typeof EventInputSchema>;

export const IngestBodySchema = Type.Union([
  EventInputSchema,
  Type.Object({ events: Type.Array(EventInputSchema, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) }),
]);

/** What a duplicate id is answered with: never the stored event, which the sender may not be allowed to read. */
export const DuplicateSchema = Type.Object(
  // First in the union: the serializer tries it first, and its required literal fails fast.
  { id: Type.String(), duplicate: Type.Literal(true) },
  { description: 'an event whose id was already stored: not stored again, and not shown' },
);

export const IngestResponseSchema = Type.Object({
  data: Type.Array(Type.Union([DuplicateSchema, AuditEventRef]), {
    description: 'per event sent, in order: the stored event, or {id, duplicate: true}',
  }),
  summary: Type.Object({
    received: Type.Integer(),
    created: Type.Integer(),
    duplicates: Type.Integer({ description: 'events whose id was already stored; not stored again' }),
  }),
});

/** What a client reports after an export or a backup; the server records it as one `audit.exported` event. */
export const ExportRecordSchema = Type.Object({
  kind: Type.Union([Type.Literal('export'), Type.Literal('backup'), Type.Literal('gdpr-export')]),
  format: Type.String({ maxLength: 20 }),
  count: Type.Integer({ minimum: 0 }),
  filters: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }))),
  files: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const OneEventAnswer = Type.Object({ data: AuditEventRef });
