/**
 * The streamed export (`GET …/audit-logs/export`): one chunked `application/x-ndjson` response
 * for a whole range, oldest first. Its lines, in order:
 *
 * 1. the head: `{"columns":[…EXPORT_ROW_FIELDS],"received_before":"…"}` (`received_before` is
 *    the pinned upper bound, null when the export is pinned by `tree_size` instead);
 * 2. chunks: `{"cursor":"…","rows":[[…],[…]]}`, each at most EXPORT_CHUNK_MAX_ROWS rows or about
 *    EXPORT_CHUNK_MAX_BYTES (one row at least), each row an array of the event's fields in
 *    EXPORT_ROW_FIELDS order; `cursor` is the keyset cursor after the chunk's last row, the same
 *    a list page's `next_cursor` is, so `cursor=` resumes either;
 * 3. the end: `{"end":true,"count":N}`, N the rows of this response.
 *
 * A response without the end line was cut: what its complete chunks held is good, and the rest
 * is asked for again from the last complete chunk's cursor.
 */
import type { AuditEvent, JsonObject } from './event.js';
import { MAX_JSON_NESTING, nestingDepth } from './json-nesting.js';

export const EXPORT_STREAM_MEDIA_TYPE = 'application/x-ndjson';

/** A chunk ends after this many rows… */
export const EXPORT_CHUNK_MAX_ROWS = 1000;
/** …or once its rows' JSON passes this many bytes. */
export const EXPORT_CHUNK_MAX_BYTES = 1_000_000;

/**
 * A row's values: the event's 18 fields in the SPEC's CSV column order (exportFields), a field
 * of a part named `part.field`. `timestamp` is ISO 8601 text as the event shows it; `changes`
 * and `metadata` are JSON objects; a missing value is null.
 */
export const EXPORT_ROW_FIELDS = [
  'id',
  'timestamp',
  'category',
  'action',
  'description',
  'actor.id',
  'actor.name',
  'actor.email',
  'actor.type',
  'target.type',
  'target.id',
  'target.name',
  'context.ip_address',
  'context.user_agent',
  'context.team_id',
  'context.team_name',
  'changes',
  'metadata',
] as const;

export type ExportRowField = (typeof EXPORT_ROW_FIELDS)[number];

export interface ExportStreamHead {
  columns: string[];
  received_before: string | null;
}

export interface ExportStreamChunk {
  cursor: string;
  rows: unknown[][];
}

export interface ExportStreamEnd {
  end: true;
  count: number;
}

/** Why a stream's line is not what the contract above says. */
export class ExportStreamError extends Error {
  override readonly name = 'ExportStreamError';
}

/**
 * An event's time as the API writes it: UTC to the millisecond, in one fixed width, so that text
 * order is time order (years 0000–9999, which is every time an event may have).
 */
const EVENT_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

export function isEventTime(value: unknown): value is string {
  return typeof value === 'string' && EVENT_TIME.test(value);
}

/**
 * Throws unless `row` is a row the contract allows: EXPORT_ROW_FIELDS.length values, text or
 * null where a field is text (the id always text, the timestamp a time as isEventTime says), an
 * object or null for changes and metadata. The row comes from the server, which is not trusted. Cheap: an export checks every
 * row as it arrives and decodes it into an event only when a format needs one.
 */
export function checkExportRow(row: unknown): asserts row is ExportRow {
  if (!Array.isArray(row) || row.length !== EXPORT_ROW_FIELDS.length)
    throw new ExportStreamError(`a row is not an array of ${EXPORT_ROW_FIELDS.length} values`);
  for (let index = 0; index < 16; index++) {
    const value: unknown = row[index];
    if (value !== null && typeof value !== 'string')
      throw new ExportStreamError(`a row's ${EXPORT_ROW_FIELDS[index]} is not text`);
  }
  if (typeof row[0] !== 'string' || typeof row[1] !== 'string')
    throw new ExportStreamError('a row has no id or timestamp');
  if (!isEventTime(row[1])) throw new ExportStreamError("a row's timestamp is not a time");
  jsonObject(row[16], 'changes');
  jsonObject(row[17], 'metadata');
  if (nestingDepth(row[16]) > MAX_JSON_NESTING || nestingDepth(row[17]) > MAX_JSON_NESTING)
    throw new ExportStreamError(
      `a row's changes or metadata is nested more than ${MAX_JSON_NESTING} levels deep`,
    );
}

/**
 * The event a row holds, as the list API shows it: every key present, a part whose fields are
 * all null is null. A row checkExportRow refuses is an ExportStreamError.
 */
export function exportRowToEvent(row: unknown): AuditEvent {
  checkExportRow(row);
  const text = row as (string | null)[];
  // Each part an object literal of one shape (not keys added in a loop): this runs per row of
  // every export, and V8 builds a literal of known keys several times faster.
  const actorId = text[5] ?? null;
  const actorName = text[6] ?? null;
  const actorEmail = text[7] ?? null;
  const actorType = text[8] ?? null;
  const targetType = text[9] ?? null;
  const targetId = text[10] ?? null;
  const targetName = text[11] ?? null;
  const ip = text[12] ?? null;
  const agent = text[13] ?? null;
  const teamId = text[14] ?? null;
  const teamName = text[15] ?? null;
  return {
    id: text[0] as string,
    timestamp: text[1] as string,
    category: text[2] as AuditEvent['category'],
    action: text[3] as string,
    description: text[4] ?? null,
    actor:
      actorId === null && actorName === null && actorEmail === null && actorType === null
        ? null
        : ({ id: actorId, name: actorName, email: actorEmail, type: actorType } as AuditEvent['actor']),
    target:
      targetType === null && targetId === null && targetName === null
        ? null
        : ({ type: targetType, id: targetId, name: targetName } as AuditEvent['target']),
    context:
      ip === null && agent === null && teamId === null && teamName === null
        ? null
        : ({
            ip_address: ip,
            user_agent: agent,
            team_id: teamId,
            team_name: teamName,
          } as AuditEvent['context']),
    changes: jsonObject(row[16], 'changes'),
    metadata: jsonObject(row[17], 'metadata'),
  };
}

/** A row's values, as the stream sends them and as an event's CSV line is written from. */
export type ExportRow = readonly unknown[];

/**
 * The row of `event` in EXPORT_ROW_FIELDS order (for an event read from a list page): a text
 * field of another type than string is null, a missing changes or metadata null.
 */
export function eventToExportRow(event: AuditEvent): ExportRow {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const { actor, target, context } = event;
  return [
    text(event.id),
    text(event.timestamp),
    text(event.category),
    text(event.action),
    text(event.description),
    text(actor?.id),
    text(actor?.name),
    text(actor?.email),
    text(actor?.type),
    text(target?.type),
    text(target?.id),
    text(target?.name),
    text(context?.ip_address),
    text(context?.user_agent),
    text(context?.team_id),
    text(context?.team_name),
    event.changes ?? null,
    event.metadata ?? null,
  ];
}

function jsonObject(value: unknown, field: string): JsonObject | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ExportStreamError(`a row's ${field} is not an object`);
  return value as JsonObject;
}
