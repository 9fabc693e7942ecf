import type { Finding } from '../../domain/review.js';
import { finding, iso, plural } from '../finding.js';

export const TOKEN_CREATED = 'security.api_token_created';
export const TOKEN_REVOKED = 'security.api_token_revoked';

export interface ApiTokensInput {
  created: number;
  revoked: number;
  /** The oldest of both, oldest first. */
  rows: { id: string; ts: number }[];
  last: number | null;
  range: { from: number; to: number };
}

/** api_tokens (info): how many tokens were created and revoked, and which. */
export function apiTokensRule(input: ApiTokensInput): Finding[] {
  const total = input.created + input.revoked;
  if (total === 0) return [];
  const window = { from: iso(input.range.from), to: iso(input.range.to - 1) };
  return [
    finding({
      id: `api_tokens:${window.from}`,
      rule: 'api_tokens',
      severity: 'info',
      summary: `${plural(input.created, 'API token')} created, ${input.revoked} revoked`,
      first: input.rows[0]?.ts ?? null,
      last: input.last,
      counts: { created: input.created, revoked: input.revoked },
      ids: input.rows.map((row) => row.id),
      total,
      queries: [{ action: `${TOKEN_CREATED},${TOKEN_REVOKED}`, ...window }],
    }),
  ];
}
