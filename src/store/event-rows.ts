import type { AuditEvent, JsonObject } from '../domain/event.js';
import {
  ALL_COLUMN_NAMES,
  type EventFieldColumn,
  type EventRow,
  FIELD_COLUMNS,
  type FieldValues,
  POSITION_COLUMNS,
  SEARCHED_COLUMNS,
} from './event-columns.js';
import { timeTextSql } from './time-text-sql.js';

export type { EventRow, FieldValues } from './event-columns.js';

/**
 * What event-columns.ts describes, made once at start-up: the INSERT, the encoder and decoder
 * between events and rows, the JSON SQLite builds of a row, and the full-text index rows.
 */

/** An event with the positions the server keeps beside it. */
export interface StoredEvent {
  seq: number;
  orgId: number;
  receivedAt: number;
  event: AuditEvent;
}

/** Every column of a stored event, positions first: what valuesToStoredEvent reads. */
export const EVENT_COLUMNS = ALL_COLUMN_NAMES.join(', ');

/** EVENT_COLUMNS read with better-sqlite3's `raw()`: arrays. An object per row built by the
 * driver, key by key, costs about twice as much (bench/bench.mjs). */
export type EventValues = [number, number, number, ...FieldValues];

/** Binds org_id, received_at, then the field values (eventToFieldValues); a known id is skipped. */
export const INSERT_EVENT_SQL = `INSERT INTO events (org_id, received_at, ${FIELD_COLUMNS.map((c) => c.name).join(', ')})
  VALUES (?, ?, ${FIELD_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (org_id, id) DO NOTHING`;

/**
 * The event_counts rows (migration 3) of every event from a position on (bound: the first new
 * seq), added to what is there. `hour` is floor(ts / 3600000), before 1970 too.
 */
export const COUNT_NEW_EVENTS_SQL = `INSERT INTO event_counts (org_id, hour, category, action, events)
  SELECT org_id, CASE WHEN ts >= 0 THEN ts / 3600000 ELSE (ts - 3599999) / 3600000 END, category, action, count(*)
  FROM events WHERE seq >= ? GROUP BY 1, 2, 3, 4
  ON CONFLICT (org_id, hour, category, action) DO UPDATE SET events = events + excluded.events`;

/**
 * One event's full-text row: each field as domain/free-text.ts indexedFields gives it, from JS
 * at ingest (a call into JS per field from SQL cost ~10 µs an event; this ~1). The erasure
 * trigger and migration 5 give the same fields through SQL functions (migrate.ts
 * registerSearchFunctions); test/unit/search-agreement.test.ts holds the two equal.
 */
export const INDEX_TEXT_SQL = `INSERT INTO events_fts (rowid, ${SEARCHED_COLUMNS.join(', ')}, metadata_values)
  VALUES (?, ${SEARCHED_COLUMNS.map(() => '?').join(', ')}, ?)`;

export interface ColumnKey {
  key: string;
  index: number;
  column: EventFieldColumn;
}

/**
 * A top-level key of the event: one column, or a part made of several (`fields`). All of one
 * shape, which the decoder's loop reads fastest.
 */
export interface EventKey extends ColumnKey {
  fields: ColumnKey[] | null;
}

/**
 * The event's top-level keys as `columns` describe them (see event-columns.ts). Throws if the
 * fields of one part are not adjacent: they would become two keys of the same name.
 */
export function eventKeysOf(columns: readonly EventFieldColumn[]): readonly EventKey[] {
  return columns.reduce<EventKey[]>((keys, column: EventFieldColumn, index) => {
    const own = { key: column.field, index, column };
    const last = keys.at(-1);
    if (column.part === undefined) keys.push({ ...own, fields: null });
    else if (last?.fields && last.key === column.part) last.fields.push(own);
    else if (keys.some((key) => key.fields && key.key === column.part))
      throw new Error(
        `the fields of part "${column.part}" are not adjacent in the event columns (at ${column.name})`,
      );
    else keys.push({ key: column.part, index, column, fields: [own] });
    return keys;
  }, []);
}

const EVENT_KEYS = eventKeysOf(FIELD_COLUMNS);

/** FIELD_COLUMNS as objects of one shape, which the encoder's loop reads fastest. */
const ENCODING_PLAN = FIELD_COLUMNS.map((column: EventFieldColumn) => ({
  field: column.field,
  part: column.part ?? null,
  encoding: column.encoding ?? null,
}));

/** The field values of an already normalized event, in FIELD_COLUMNS order (inverse of the decoders). */
export function eventToFieldValues(event: AuditEvent): FieldValues {
  const source = event as unknown as Record<string, Record<string, unknown> | null>;
  const values: unknown[] = new Array(ENCODING_PLAN.length);
  for (let index = 0; index < ENCODING_PLAN.length; index++) {
    const { field, part, encoding } = ENCODING_PLAN[index] as (typeof ENCODING_PLAN)[number];
    const value = part === null ? (source[field] as unknown) : source[part]?.[field];
    if (value === undefined || value === null) values[index] = null;
    else if (encoding === 'time') values[index] = Date.parse(value as string);
    else if (encoding === 'json') values[index] = JSON.stringify(value);
    else values[index] = value;
  }
  return values as FieldValues;
}

/** The event held by a row's field values, which start at `offset` of `values`. */
export function valuesToEvent(values: readonly unknown[], offset = 0): AuditEvent {
  return valuesToObject(EVENT_KEYS, values, offset) as unknown as AuditEvent;
}

/** The object `keys` (eventKeysOf) describe, from a row's field values starting at `offset`. */
export function valuesToObject(keys: readonly EventKey[], values: readonly unknown[], offset = 0): object {
  const event: Record<string, unknown> = {};
  for (const entry of keys) {
    if (entry.fields === null) {
      const value = values[offset + entry.index];
      event[entry.key] = value === null ? null : decode(entry.column, value);
      continue;
    }
    // A part whose fields are all null is null, as the sender's absent part was.
    let present = false;
    const part: Record<string, unknown> = {};
    for (const field of entry.fields) {
      const value = values[offset + field.index];
      part[field.key] = value === null ? null : decode(field.column, value);
      if (value !== null) present = true;
    }
    event[entry.key] = present ? part : null;
  }
  return event;
}

function decode(column: EventFieldColumn, value: unknown): unknown {
  if (column.encoding === 'time') return new Date(value as number).toISOString();
  if (column.encoding === 'json') return JSON.parse(value as string) as JsonObject;
  return value;
}

/** A row read as EVENT_COLUMNS values. */
export function valuesToStoredEvent(values: readonly unknown[]): StoredEvent {
  return {
    seq: values[0] as number,
    orgId: values[1] as number,
    receivedAt: values[2] as number,
    event: valuesToEvent(values, POSITION_COLUMNS.length),
  };
}

/** A row read as an object (column names as keys). */
export function rowToStoredEvent(row: EventRow): StoredEvent {
  return valuesToStoredEvent(ALL_COLUMN_NAMES.map((name) => row[name]));
}

export function rowToEvent(row: Pick<EventRow, (typeof FIELD_COLUMNS)[number]['name']>): AuditEvent {
  return valuesToEvent(FIELD_COLUMNS.map((column) => row[column.name]));
}

/** The JSON value of one field column, as SQLite makes it: ISO time text, an object, or text. */
export function jsonExpression(column: EventFieldColumn, table?: string): string {
  const name = table === undefined ? column.name : `${table}.${column.name}`;
  if (column.encoding === 'time') return timeTextSql(name);
  if (column.encoding === 'json') return `json(${name})`;
  return name;
}

/**
 * The 18 fields a Merkle leaf's commitment covers (leafFields of src/domain/merkle/leaf.ts), as
 * a JSON array SQLite builds from a row: strings as stored, a missing one "", `changes` and
 * `metadata` as their stored JSON text (the checker canonicalizes them). FIELD_COLUMNS are in
 * the export's column order; `table` names the events table. test/unit/leaf-fields-sql.test.ts holds the two equal.
 */
export function leafFieldsJsonSql(table: string): string {
  return `json_array(${FIELD_COLUMNS.map((column: EventFieldColumn) => {
    const name = `${table}.${column.name}`;
    return column.encoding === 'time' ? timeTextSql(name) : `coalesce(${name}, '')`;
  }).join(', ')})`;
}

/**
 * The same event as valuesToEvent gives, as JSON text built by SQLite in one call per row: a
 * list page is then a join of strings, not 21 JS values per row made into an object and
 * serialized again (export pages: about 15 µs a row less on the server, bench/bench.mjs). Keys
 * in the order of the AuditEvent schema; a part whose fields are all null is null.
 */
export const EVENT_JSON = jsonObjectSql(EVENT_KEYS);

/** The SQL expression that builds, from a row, the JSON text of the object `keys` describe. */
export function jsonObjectSql(keys: readonly EventKey[]): string {
  return `json_object(${keys
    .map((entry) => {
      if (entry.fields === null) return `'${entry.key}', ${jsonExpression(entry.column)}`;
      const names = entry.fields.map((field) => field.column.name).join(', ');
      const members = entry.fields
        .map((field) => `'${field.key}', ${jsonExpression(field.column)}`)
        .join(', ');
      // coalesce takes two arguments at least: a part of one field adds a NULL.
      return `'${entry.key}', iif(coalesce(${names}, NULL) IS NULL, NULL, json_object(${members}))`;
    })
    .join(', ')})`;
}
