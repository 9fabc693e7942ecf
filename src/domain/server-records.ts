/**
 * The server's own records: what it writes about itself (purges, erasures, exports, failed
 * authentication) and the actors it writes as. One list, so that a sender cannot forge them and
 * `audit import` knows which records of a backup it must leave to the server.
 */
import type { EventInput } from './event.js';

/** The ids of the server's actors: the server itself, and an admin command on its machine. */
export const SERVER_ACTOR_ID = 'system';
export const LOCAL_ADMINISTRATOR_ID = 'local-admin';
const SERVER_ACTOR_IDS: readonly string[] = [SERVER_ACTOR_ID, LOCAL_ADMINISTRATOR_ID].map(folded);
export const SERVER_ACTOR_NAME = 'audit server';
/** The local administrator's name ends so: `<login> (local administrator)`. */
export const LOCAL_ADMINISTRATOR_SUFFIX = '(local administrator)';

/**
 * Categories only the server writes: `audit` (exports, retention purges, webhook tests) and
 * `gdpr` (subject exports and erasures), plus its failed-authentication record. The reference
 * catalogue's token and team events (`security.api_token_revoked`, `team.member_added`) stay
 * open to senders: a product records those about its own users; they are the server's only when
 * its actor is, which the actor check covers.
 */
export const SERVER_CATEGORIES = ['audit', 'gdpr'] as const;
export const SERVER_ACTIONS = ['security.api_auth_failed'] as const;

export interface ReservedField {
  /** The field's path in the event: `action`, `category`, `actor.id` or `actor.name`. */
  field: string;
  message: string;
}

/** Why `input` would pass for one of the server's own records, or undefined when it would not. */
export function reservedFieldOf(
  input: Pick<EventInput, 'action' | 'category' | 'actor'>,
): ReservedField | undefined {
  const action = typeof input.action === 'string' ? input.action : '';
  const prefix = action.split('.')[0] ?? '';
  if (
    (SERVER_CATEGORIES as readonly string[]).includes(prefix) ||
    (SERVER_ACTIONS as readonly string[]).includes(action)
  ) {
    return { field: 'action', message: `"${action}" is reserved for the server's own records` };
  }
  if (input.category !== undefined && (SERVER_CATEGORIES as readonly string[]).includes(input.category)) {
    return { field: 'category', message: `"${input.category}" is reserved for the server's own records` };
  }
  const actorId = folded(input.actor?.id);
  if (SERVER_ACTOR_IDS.includes(actorId)) {
    return { field: 'actor.id', message: "is reserved for the server's own actors" };
  }
  const actorName = folded(input.actor?.name);
  if (actorName === folded(SERVER_ACTOR_NAME) || actorName.endsWith(folded(LOCAL_ADMINISTRATOR_SUFFIX))) {
    return { field: 'actor.name', message: "is reserved for the server's own actors" };
  }
  return undefined;
}

/**
 * Case and width folded, and every space, dash, control and invisible character dropped, so
 * `System `, a full-width name, `sys\u00adtem` or `audit\u200bserver` is no way round.
 */
function folded(value: unknown): string {
  return typeof value === 'string'
    ? value
        .normalize('NFKC')
        .toLowerCase()
        .replace(/[\s\p{Dash}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '')
    : '';
}
