import { type Static, type TObject, type TSchema, type TSchemaOptions, Type } from 'typebox';
import type { JsonObject } from '../../domain/event.js';

/** A schema that also admits null, written as a type array so the serializer stays fast. */
export function nullable<T extends TObject>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: ['object', 'null'] });
}

/**
 * One of a list of strings, as `anyOf` of `const`s. The static type is the list's own union:
 * TypeBox infers a union of a mapped (non-tuple) array as `never`.
 */
export function oneOfStrings<const T extends readonly string[]>(values: T, options: TSchemaOptions = {}) {
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      options,
    ),
  );
}

export const NullableString = (options: { maxLength?: number; format?: string } = {}) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

/** A free-form JSON object (changes, metadata), or null. */
export const NullableJsonObject = Type.Unsafe<JsonObject | null>({
  type: ['object', 'null'],
  additionalProperties: true,
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    param: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 100 }) });

export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}

export const HealthSchema = Type.Object({ status: Type.Literal('ok') });

/** Who a token belongs to: its user, organization and the token itself. */
export const MeSchema = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
    team: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  }),
  organization: Type.Object({
    slug: Type.String(),
    name: Type.String(),
    plan: Type.String(),
    retention_days: Type.Union([Type.Integer(), Type.Null()]),
  }),
  token: Type.Object({
    prefix: Type.String(),
    scope: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
});
