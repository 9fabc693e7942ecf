import { type Static, Type } from 'typebox';
import { DEFAULT_PAGE_SIZE, MAX_LIST_VALUES, MAX_PAGE_SIZE } from '../../domain/request-limits.js';
import { AuditEventRef } from './event.js';

const filterText = (description: string) => Type.Optional(Type.String({ maxLength: 512, description }));
const list = (description: string) =>
  Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: MAX_LIST_VALUES, description }));

export const ListQuerySchema = Type.Object(
  {
    category: list(`one or more categories, comma-separated or repeated (at most ${MAX_LIST_VALUES})`),
    action: list(
      `one or more actions, comma-separated or repeated (at most ${MAX_LIST_VALUES}); \`tunnel.*\` matches a prefix`,
    ),
    actor: filterText('actor id, email or name; `me` is the caller'),
    actor_id: filterText('actor id only'),
    target: filterText('target id or name'),
    resource: filterText('target id or name, team name, or actor email'),
    ip: filterText('exact IP address'),
    team_id: filterText('team id'),
    q: filterText(
      'free text across actor, action, target, IP, description and metadata values; at most 16 words, ' +
        'and a search counts as 1 + ceil(words / 4) requests in the rate limit',
    ),
    from: filterText('ISO 8601 instant, or YYYY-MM-DD (start of that UTC day)'),
    to: filterText('ISO 8601 instant, or YYYY-MM-DD (that whole UTC day)'),
    since: filterText('30m, 24h, 7d, 30d: from = now - since'),
    detailed: Type.Optional(Type.Boolean({ description: 'include access events (page views, API calls)' })),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')])),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: filterText('opaque keyset cursor from the previous page'),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    after: filterText('an event id: only events ingested after it, oldest first'),
    received_before: filterText(
      'ISO 8601 instant: only events the server received before it (pins an export while events arrive)',
    ),
    tree_size: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "only events among the first tree_size leaves of the organization's Merkle tree (what the checkpoint of that size covers); at most the sealed size; organization owners and admins only",
      }),
    ),
  },
  // A misspelt filter must not silently widen the answer to everything.
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuerySchema>;

export const ListResponseSchema = Type.Object({
  data: Type.Array(AuditEventRef),
  pagination: Type.Object({
    per_page: Type.Integer(),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  }),
});

export const EventParams = Type.Object({
  org: Type.String({ minLength: 1, maxLength: 100 }),
  id: Type.String({ minLength: 1, maxLength: 100 }),
});

export const StreamQuerySchema = Type.Omit(
  ListQuerySchema,
  ['order', 'per_page', 'cursor', 'page', 'after', 'received_before', 'tree_size'],
  {
    additionalProperties: false,
  },
);

export const StreamHeadersSchema = Type.Object({
  'Last-Event-ID': Type.Optional(
    Type.String({ description: 'the id of the last event received: the stream resumes right after it' }),
  ),
});
