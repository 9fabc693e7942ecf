import type { Category } from '../domain/categories.js';
import type { Actor, ActorType, AuditEvent, EventContext, JsonObject, Target } from '../domain/event.js';

/** One row of the `events` table, as better-sqlite3 returns it. */
export interface EventRow {
  seq: number;
  org_id: number;
  id: string;
  ts: number;
  received_at: number;
  category: string;
  action: string;
  description: string | null;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  actor_type: string | null;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  ip_address: string | null;
  user_agent: string | null;
  team_id: string | null;
  team_name: string | null;
  changes: string | null;
  metadata: string | null;
}

/** An event with the positions the server keeps beside it. */
export interface StoredEvent {
  seq: number;
  orgId: number;
  receivedAt: number;
  event: AuditEvent;
}

export const EVENT_COLUMNS =
  'seq, org_id, id, ts, received_at, category, action, description, actor_id, actor_name, actor_email, ' +
  'actor_type, target_type, target_id, target_name, ip_address, user_agent, team_id, team_name, changes, metadata';

/** EVENT_COLUMNS read with better-sqlite3's `raw()`: arrays, then one object literal each. An
 * object per row built by the driver, key by key, costs about twice as much (bench/bench.mjs). */
export type EventValues = [
  number,
  number,
  string,
  number,
  number,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

export function valuesToRow(v: EventValues): EventRow {
  return {
    seq: v[0],
    org_id: v[1],
    id: v[2],
    ts: v[3],
    received_at: v[4],
    category: v[5],
    action: v[6],
    description: v[7],
    actor_id: v[8],
    actor_name: v[9],
    actor_email: v[10],
    actor_type: v[11],
    target_type: v[12],
    target_id: v[13],
    target_name: v[14],
    ip_address: v[15],
    user_agent: v[16],
    team_id: v[17],
    team_name: v[18],
    changes: v[19],
    metadata: v[20],
  };
}

export function rowToStoredEvent(row: EventRow): StoredEvent {
  return { seq: row.seq, orgId: row.org_id, receivedAt: row.received_at, event: rowToEvent(row) };
}

export function rowToEvent(row: EventRow): AuditEvent {
  return {
    id: row.id,
    timestamp: new Date(row.ts).toISOString(),
    category: row.category as Category,
    action: row.action,
    description: row.description,
    actor: nullWhenEmpty<Actor>({
      id: row.actor_id,
      name: row.actor_name,
      email: row.actor_email,
      type: row.actor_type as ActorType | null,
    }),
    target: nullWhenEmpty<Target>({ type: row.target_type, id: row.target_id, name: row.target_name }),
    context: nullWhenEmpty<EventContext>({
      ip_address: row.ip_address,
      user_agent: row.user_agent,
      team_id: row.team_id,
      team_name: row.team_name,
    }),
    changes: parseJsonObject(row.changes),
    metadata: parseJsonObject(row.metadata),
  };
}

/**
 * The same event as rowToEvent gives, as JSON text built by SQLite in one call per row: a list
 * page is then a join of strings, not 21 JS values per row made into an object and serialized
 * again (export pages: about 15 µs a row less on the server, bench/bench.mjs). Keys in the order
 * of the AuditEvent schema; `strftime(…, ts / 1000.0, 'unixepoch')` equals toISOString for every
 * millisecond of years 0000–9999 (checked on 2,000,000 random values); a part whose fields are
 * all null is null, as nullWhenEmpty makes it. test/unit/store.test.ts holds the two to each other.
 */
export const EVENT_JSON = `json_object(
  'id', id,
  'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', ts / 1000.0, 'unixepoch'),
  'category', category,
  'action', action,
  'description', description,
  'actor', iif(coalesce(actor_id, actor_name, actor_email, actor_type) IS NULL, NULL,
    json_object('id', actor_id, 'name', actor_name, 'email', actor_email, 'type', actor_type)),
  'target', iif(coalesce(target_type, target_id, target_name) IS NULL, NULL,
    json_object('type', target_type, 'id', target_id, 'name', target_name)),
  'context', iif(coalesce(ip_address, user_agent, team_id, team_name) IS NULL, NULL,
    json_object('ip_address', ip_address, 'user_agent', user_agent, 'team_id', team_id, 'team_name', team_name)),
  'changes', json(changes),
  'metadata', json(metadata))`;

/** The row values of an already normalized event (the inverse of rowToEvent). */
export function eventToRowValues(event: AuditEvent): Omit<EventRow, 'seq' | 'org_id' | 'received_at'> {
  return {
    id: event.id,
    ts: Date.parse(event.timestamp),
    category: event.category,
    action: event.action,
    description: event.description,
    actor_id: event.actor?.id ?? null,
    actor_name: event.actor?.name ?? null,
    actor_email: event.actor?.email ?? null,
    actor_type: event.actor?.type ?? null,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    target_name: event.target?.name ?? null,
    ip_address: event.context?.ip_address ?? null,
    user_agent: event.context?.user_agent ?? null,
    team_id: event.context?.team_id ?? null,
    team_name: event.context?.team_name ?? null,
    changes: event.changes === null ? null : JSON.stringify(event.changes),
    metadata: event.metadata === null ? null : JSON.stringify(event.metadata),
  };
}

function nullWhenEmpty<T extends object>(part: T): T | null {
  return Object.values(part).some((value) => value !== null) ? part : null;
}

function parseJsonObject(text: string | null): JsonObject | null {
  return text === null ? null : (JSON.parse(text) as JsonObject);
}
