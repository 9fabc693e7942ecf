/**
 * The one description of the `events` table (created by the migrations): which column holds
 * which field of an event, and how. The INSERT, the row decoder and the JSON that SQLite builds
 * for the list API are all made from it (event-rows.ts), so a new field is one entry here plus
 * its migration; test/unit/event-json.test.ts holds this list to the table as SQLite reports
 * it and the three products to each other.
 */

/** The columns the server keeps beside each event: its position, organization, arrival. */
export const POSITION_COLUMNS = [
  { name: 'seq', type: 'INTEGER', notNull: false },
  { name: 'org_id', type: 'INTEGER', notNull: true },
  { name: 'received_at', type: 'INTEGER', notNull: true },
] as const;

/**
 * A column that holds one field of an event: `event[field]`, or `event[part][field]` when the
 * field lives in a part (a part whose fields are all null is itself null). `time` is an ISO 8601
 * text in the event and milliseconds since the epoch in the table; `json` an object in the event
 * and its JSON text in the table.
 */
export interface EventFieldColumn {
  readonly name: string;
  readonly type: 'TEXT' | 'INTEGER';
  readonly notNull: boolean;
  readonly part?: EventPart;
  readonly field: string;
  readonly encoding?: 'time' | 'json';
}

export type EventPart = 'actor' | 'target' | 'context';

/** In the order of the event's keys (the AuditEvent schema); a part's fields are adjacent. */
export const FIELD_COLUMNS = [
  { name: 'id', type: 'TEXT', notNull: true, field: 'id' },
  { name: 'ts', type: 'INTEGER', notNull: true, field: 'timestamp', encoding: 'time' },
  { name: 'category', type: 'TEXT', notNull: true, field: 'category' },
  { name: 'action', type: 'TEXT', notNull: true, field: 'action' },
  { name: 'description', type: 'TEXT', notNull: false, field: 'description' },
  { name: 'actor_id', type: 'TEXT', notNull: false, part: 'actor', field: 'id' },
  { name: 'actor_name', type: 'TEXT', notNull: false, part: 'actor', field: 'name' },
  { name: 'actor_email', type: 'TEXT', notNull: false, part: 'actor', field: 'email' },
  { name: 'actor_type', type: 'TEXT', notNull: false, part: 'actor', field: 'type' },
  { name: 'target_type', type: 'TEXT', notNull: false, part: 'target', field: 'type' },
  { name: 'target_id', type: 'TEXT', notNull: false, part: 'target', field: 'id' },
  { name: 'target_name', type: 'TEXT', notNull: false, part: 'target', field: 'name' },
  { name: 'ip_address', type: 'TEXT', notNull: false, part: 'context', field: 'ip_address' },
  { name: 'user_agent', type: 'TEXT', notNull: false, part: 'context', field: 'user_agent' },
  { name: 'team_id', type: 'TEXT', notNull: false, part: 'context', field: 'team_id' },
  { name: 'team_name', type: 'TEXT', notNull: false, part: 'context', field: 'team_name' },
  { name: 'changes', type: 'TEXT', notNull: false, field: 'changes', encoding: 'json' },
  { name: 'metadata', type: 'TEXT', notNull: false, field: 'metadata', encoding: 'json' },
] as const satisfies readonly EventFieldColumn[];

/**
 * What full-text search indexes, in the order of the `events_fts` columns: these event columns,
 * then `metadata_values`, every scalar of the metadata.
 */
export const SEARCHED_COLUMNS = [
  'actor_name',
  'actor_email',
  'action',
  'target_name',
  'ip_address',
  'description',
] as const satisfies readonly FieldColumnName[];

export type FieldColumnName = (typeof FIELD_COLUMNS)[number]['name'];
type PositionColumnName = (typeof POSITION_COLUMNS)[number]['name'];

type ValueOf<C> = C extends { type: 'INTEGER' }
  ? number
  : C extends { notNull: true }
    ? string
    : string | null;

/** One row of the `events` table, as better-sqlite3 returns it. */
export type EventRow = { [C in (typeof POSITION_COLUMNS)[number] as C['name']]: number } & {
  [C in (typeof FIELD_COLUMNS)[number] as C['name']]: ValueOf<C>;
};

/** The field columns' values in FIELD_COLUMNS order: what the INSERT binds after the positions. */
export type FieldValues = ValuesOf<typeof FIELD_COLUMNS>;
type ValuesOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: ValueOf<T[I]> };

/** Every column name, positions first. */
export const ALL_COLUMN_NAMES: readonly (PositionColumnName | FieldColumnName)[] = [
  ...POSITION_COLUMNS.map((column) => column.name),
  ...FIELD_COLUMNS.map((column) => column.name),
];
