/**
 * Records of an export or backup file turned back into what the ingest endpoint takes. The check
 * is light on purpose (an object with a string `action`): the server validates every field and
 * its answer names the event, which the importer maps back to a line of the file.
 */
import type { EventInput, JsonObject } from '../domain/event.js';
import { restoreFormulaCell } from '../domain/formula-cells.js';
import { findInexactNumber, inexactNumberMessage } from '../domain/inexact-numbers.js';
import { MalformedInputError } from './lines.js';

/** A record that is not an event; `reason` is a short phrase, e.g. `no "action"`. */
export class NotAnEventError extends Error {
  override readonly name = 'NotAnEventError';
  constructor(readonly reason: string) {
    super(`not an event (${reason})`);
  }
}

const PARTS = {
  actor: ['id', 'name', 'email', 'type'],
  target: ['type', 'id', 'name'],
  context: ['ip_address', 'user_agent', 'team_id', 'team_name'],
} as const;
type PartName = keyof typeof PARTS;

const SCALARS = ['id', 'timestamp', 'category', 'description'] as const;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * A JSON value of a JSON or NDJSON file as an event to send. Exports hold events as the API
 * returns them, with every key present and absent parts null; the ingest schema wants absent
 * keys instead, so nulls are dropped. `id`s are kept: that is what makes an import idempotent.
 */
export function toEventInput(value: unknown): EventInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NotAnEventError(`${kindOf(value)}, not an object`);
  }
  const record = value as Record<string, unknown>;
  const action = record.action;
  if (action === undefined || action === null) throw new NotAnEventError('no "action"');
  if (typeof action !== 'string' || action === '') {
    throw new NotAnEventError(`"action" is ${action === '' ? 'empty' : `${kindOf(action)}, not a string`}`);
  }
  const event: Record<string, unknown> = { action };
  for (const key of [...SCALARS, 'changes', 'metadata'] as const) {
    if (record[key] !== undefined && record[key] !== null) event[key] = record[key];
  }
  for (const part of Object.keys(PARTS) as PartName[]) {
    const given = record[part];
    if (given === undefined || given === null) continue;
    event[part] = typeof given === 'object' && !Array.isArray(given) ? withoutNulls(given) : given;
  }
  return event as unknown as EventInput;
}

function withoutNulls(value: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== null && field !== undefined),
  );
}

/** A row of a CSV export (header → cell) as an event: empty cells are absent, JSON columns parsed. */
export function csvRecordToEventInput(row: Record<string, string | undefined>): EventInput {
  const cell = (column: string): string | undefined => {
    const value = row[column];
    return value === undefined || value === '' ? undefined : restoreFormulaCell(value);
  };
  const action = cell('action');
  if (action === undefined) throw new NotAnEventError('empty "action"');
  const event: Record<string, unknown> = { action };
  for (const key of SCALARS) {
    const value = cell(key);
    if (value !== undefined) event[key] = value;
  }
  const partColumn = (part: PartName, field: string) => (part === 'context' ? field : `${part}_${field}`);
  for (const part of Object.keys(PARTS) as PartName[]) {
    const fields: Record<string, string> = {};
    for (const field of PARTS[part]) {
      const value = cell(partColumn(part, field));
      if (value !== undefined) fields[field] = value;
    }
    if (Object.keys(fields).length > 0) event[part] = fields;
  }
  for (const key of ['changes', 'metadata'] as const) {
    const value = cell(key);
    if (value !== undefined) event[key] = jsonObjectCell(key, value);
  }
  return event as unknown as EventInput;
}

function jsonObjectCell(column: string, text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NotAnEventError(`column "${column}" is not valid JSON`);
  }
  refuseInexactNumbers(text, `column "${column}"`);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new NotAnEventError(`column "${column}" is ${kindOf(parsed)}, not a JSON object`);
  }
  return parsed as JsonObject;
}

export interface ImportRecord {
  /** `line 12` (JSON, NDJSON, CSV) or `event 3` (a JSON array read whole). */
  where: string;
  event: EventInput;
}

/** `convert()` as the record at `where`; a record that is not an event becomes a MalformedInputError there. */
export function record(where: string, convert: () => EventInput): ImportRecord {
  try {
    return { where, event: convert() };
  } catch (error) {
    if (error instanceof NotAnEventError) throw new MalformedInputError(where, error.message);
    throw error;
  }
}

/** JSON.parse would store a different number than the file holds (an integer past 2^53): refused. */
export function refuseInexactNumbers(text: string, where?: string): void {
  const inexact = findInexactNumber(text);
  if (inexact === undefined) return;
  const path = where === undefined ? inexact.path : `${where} ${inexact.path}`;
  throw new NotAnEventError(`${path}: ${inexactNumberMessage(inexact)}`);
}
