import { type Static, type TSchema, Type } from 'typebox';
import { MAX_DELIVERIES_PAGE_SIZE } from '../../domain/request-limits.js';
import { MAX_URL_LENGTH, MIN_SECRET_LENGTH, WEBHOOK_FORMATS } from '../../domain/webhook-rules.js';
import { NullableString, oneOfStrings, problemResponses } from './common.js';

interface RouteParts {
  params: TSchema;
  body?: TSchema;
  querystring?: TSchema;
  response: Record<number, TSchema>;
}

/**
 * A webhook route's schema: its parts, tagged, with the problem answers it may give. Generic so
 * that a route registered through the TypeBox type provider gets its request types from it.
 */
export function webhookSchema<Parts extends RouteParts>(summary: string, parts: Parts, problems: number[]) {
  return {
    tags: ['webhooks'],
    summary,
    ...parts,
    response: { ...parts.response, ...problemResponses(...problems) },
  };
}

const FormatSchema = oneOfStrings(WEBHOOK_FORMATS, {
  description: 'json: the event itself; slack, discord, teams: that platform’s incoming-webhook message',
});
const ListOrString = (description: string) =>
  Type.Union(
    [Type.String({ maxLength: 4096 }), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })],
    {
      description,
    },
  );
const Time = Type.String({ format: 'date-time' });
const NullableTime = NullableString({ format: 'date-time' });

export const WebhookSchema = Type.Object(
  {
    id: Type.String({ examples: ['whk_3f9a1c0b7d2e'] }),
    url: Type.String({
      description: 'masked after creation: scheme, host and at most the first path segment',
      examples: ['https://hooks.slack.com/services/…'],
    }),
    format: FormatSchema,
    actions: Type.Array(Type.String(), { examples: [['user.login_failed', 'security.*']] }),
    categories: Type.Array(Type.String(), { description: 'empty: any category' }),
    description: NullableString(),
    created_at: Time,
    updated_at: Time,
  },
  { $id: 'Webhook' },
);

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'http or https' }),
    actions: ListOrString(
      'actions or prefix patterns, a comma list or an array: user.login_failed,security.*',
    ),
    categories: Type.Optional(ListOrString('only events of these categories (default: any)')),
    category: Type.Optional(ListOrString('deprecated spelling of categories')),
    format: Type.Optional(FormatSchema),
    secret: Type.Optional(
      Type.String({
        minLength: MIN_SECRET_LENGTH,
        maxLength: 256,
        description: 'signing secret; generated when absent. Returned only in this answer',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH })),
    actions: Type.Optional(ListOrString('replaces the patterns')),
    categories: Type.Optional(ListOrString('replaces the categories; an empty list means any')),
    category: Type.Optional(ListOrString('deprecated spelling of categories')),
    format: Type.Optional(FormatSchema),
    description: Type.Optional(NullableString({ maxLength: 500 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookInput = Static<typeof UpdateWebhookBody>;

export const WebhookParams = Type.Object({
  org: Type.String({ minLength: 1, maxLength: 100 }),
  id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const DeliveryStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

export const DeliveriesQuery = Type.Object({
  status: Type.Optional(DeliveryStatusSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DELIVERIES_PAGE_SIZE, default: 50 })),
});

export const DeliverySchema = Type.Object(
  {
    id: Type.Integer({ description: 'also sent as the Audit-Delivery header' }),
    event_id: Type.String(),
    action: Type.String(),
    status: DeliveryStatusSchema,
    attempts: Type.Integer(),
    last_status: Type.Union([Type.Integer(), Type.Null()], {
      description: 'HTTP status of the last attempt',
    }),
    last_error: NullableString(),
    created_at: Time,
    delivered_at: NullableTime,
    next_attempt_at: NullableTime,
  },
  { $id: 'WebhookDelivery' },
);

export const TestResultSchema = Type.Object({
  data: Type.Object({
    status: Type.Union([Type.Integer(), Type.Null()], { description: 'null: no answer (see error)' }),
    body: Type.String({
      description:
        "a known chat service's answer (first 2 KB, control characters removed); empty for any other receiver",
    }),
    duration_ms: Type.Integer(),
    error: NullableString(),
    event_id: Type.String(),
  }),
});

type Webhook = Static<typeof WebhookSchema>;
type WebhookDelivery = Static<typeof DeliverySchema>;
const WebhookRef = Type.Unsafe<Webhook>(Type.Ref('Webhook'));
const DeliveryRef = Type.Unsafe<WebhookDelivery>(Type.Ref('WebhookDelivery'));

export const OneWebhookAnswer = Type.Object({ data: WebhookRef });
/** The answer to creating a webhook: the only time its signing secret is shown. */
export const CreatedWebhookAnswer = Type.Object({ data: WebhookRef, secret: Type.String() });
export const WebhookListAnswer = Type.Object({ data: Type.Array(WebhookRef) });
export const DeliveryListAnswer = Type.Object({ data: Type.Array(DeliveryRef) });

/** An answer with no body. */
export const NoContent = Type.Null();
