import type { AuditEvent } from '../../domain/event.js';
import { FIELD_COLUMNS, POSITION_COLUMNS } from '../event-columns.js';
import { EVENT_COLUMNS, type FieldValues, type StoredEvent, valuesToStoredEvent } from '../event-rows.js';
import { escapeNullable, unescapeText } from './text-escape.js';

/**
 * Rows of `events` on PostgreSQL, read as arrays (rowMode 'array') in EVENT_COLUMNS order and
 * made into events by the one decoder of src/store/event-rows.ts, after the plain text columns
 * are unescaped (text-escape.ts). Events become JSON in JS, not in SQL: one decoder, so no
 * second rendering of times or parts to keep equal.
 */
export { EVENT_COLUMNS };

/** The indexes, in EVENT_COLUMNS order, of the text columns that may hold escaped text. */
const ESCAPED_COLUMNS: readonly number[] = FIELD_COLUMNS.flatMap((column, index) =>
  column.type === 'TEXT' && !('encoding' in column) ? [POSITION_COLUMNS.length + index] : [],
);
/** The same indexes within the field values alone. */
const ESCAPED_FIELDS = ESCAPED_COLUMNS.map((index) => index - POSITION_COLUMNS.length);

/** A row of EVENT_COLUMNS as PostgreSQL returns it → the stored event. */
export function pgValuesToStoredEvent(values: unknown[]): StoredEvent {
  for (const index of ESCAPED_COLUMNS) {
    const value = values[index];
    if (typeof value === 'string') values[index] = unescapeText(value);
  }
  return valuesToStoredEvent(values);
}

/** An event's field values (eventToFieldValues) with the text escaped for PostgreSQL. */
export function escapeFieldValues(values: FieldValues): FieldValues {
  const escaped = [...values] as unknown[];
  for (const index of ESCAPED_FIELDS) escaped[index] = escapeNullable(escaped[index] as string | null);
  return escaped as FieldValues;
}

/** The JSON text of an event, as the list API sends it (SQLite's EVENT_JSON builds the same). */
export function eventJson(event: AuditEvent): string {
  return JSON.stringify(event);
}
