import { type Static, Type } from 'typebox';
import { AuditEventRef } from './event.js';

const Identifier = Type.String({ minLength: 1, maxLength: 320 });

export const SubjectBody = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 320, description: 'email or id of the person' }),
  identifiers: Type.Optional(
    Type.Array(Identifier, {
      maxItems: 100,
      description:
        "more emails, ids or IP addresses the requester confirms are this person's (for instance candidates a dry run listed)",
    }),
  ),
  names: Type.Optional(
    Type.Array(Identifier, { maxItems: 100, description: "names the requester confirms are this person's" }),
  ),
  dry_run: Type.Optional(Type.Boolean({ description: 'erasures: report what would change, change nothing' })),
  confirmed: Type.Optional(
    Type.Object(
      {
        ip_addresses: Type.Optional(Type.Array(Identifier, { maxItems: 10000 })),
        user_agents: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 1000 }),
        ),
      },
      {
        description:
          'erasures: the ip_addresses and user_agents a dry run listed and the requester confirmed; when given, only those of the learned ones are erased (without it, every one learned at erasure time is)',
      },
    ),
  ),
});

export type SubjectBodyValue = Static<typeof SubjectBody>;

const Strings = Type.Array(Type.String());

/** Exactly what the request is about: these are erased or exported. */
export const IdentitiesSchema = Type.Object({
  ids: Strings,
  emails: Strings,
  names: Strings,
  ip_addresses: Strings,
  user_agents: Strings,
  accounts: Type.Array(Type.String(), { description: 'ids of the directory accounts named exactly' }),
});

/** What stored events pair with the person: never followed; confirm them with `identifiers` or `names`. */
export const CandidatesSchema = Type.Object({ ids: Strings, emails: Strings, names: Strings });

export const ExportAnswer = Type.Object({
  data: Type.Array(AuditEventRef),
  summary: Type.Object({
    count: Type.Integer(),
    by_category: Type.Record(Type.String(), Type.Integer()),
    first: Type.Union([Type.String(), Type.Null()]),
    last: Type.Union([Type.String(), Type.Null()]),
    identities: IdentitiesSchema,
    candidates: CandidatesSchema,
  }),
});

export const ErasureAnswer = Type.Object({
  data: Type.Object({
    pseudonym: Type.String(),
    events_matched: Type.Integer(),
    events_changed: Type.Integer(),
    accounts_changed: Type.Integer(),
    dry_run: Type.Boolean(),
    subject: Type.Optional(IdentitiesSchema),
    candidates: Type.Optional(CandidatesSchema),
  }),
});
