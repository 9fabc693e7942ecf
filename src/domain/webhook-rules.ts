/** What a webhook subscription may be: shared by the API contract and the subscription parser. */
export const WEBHOOK_FORMATS = ['json', 'slack', 'discord', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const MAX_URL_LENGTH = 2048;
export const MIN_SECRET_LENGTH = 16;

/** An action pattern as stored: `security.*` is the prefix `security.`; `*` alone is every action. */
export interface ActionPattern {
  pattern: string;
  isPrefix: boolean;
}
