import type { AuditEvent, JsonObject } from '../domain/event.js';
import { neutralizeFormula } from '../domain/formula-cells.js';
import { displayValue } from './sanitize.js';
import { formatTimestamp, zoneHeaderLabel } from './time-format.js';

export interface ListColumn {
  /** What `--columns` calls it: lower case, stable. */
  name: string;
  header: string;
  /** The cell for `event`, already safe for a terminal. */
  value(event: AuditEvent, zone: string): string;
}

// The server's value may be of any type, or missing: the first non-empty string is shown.
const firstPresent = (...values: unknown[]) =>
  displayValue(values.find((value) => typeof value === 'string' && value !== ''));

/** Every column a list can show (table, TSV), by name. */
export const EVENT_COLUMNS: Readonly<Record<string, ListColumn>> = {
  id: { name: 'id', header: 'ID', value: (event) => displayValue(event.id) },
  time: { name: 'time', header: 'TIME', value: (event, zone) => formatTimestamp(event.timestamp, zone) },
  category: { name: 'category', header: 'CATEGORY', value: (event) => displayValue(event.category) },
  action: { name: 'action', header: 'ACTION', value: (event) => displayValue(event.action) },
  actor: {
    name: 'actor',
    header: 'ACTOR',
    value: ({ actor }) => firstPresent(actor?.name, actor?.email, actor?.id),
  },
  target: { name: 'target', header: 'TARGET', value: ({ target }) => firstPresent(target?.name, target?.id) },
  ip: { name: 'ip', header: 'IP', value: ({ context }) => displayValue(context?.ip_address) },
  description: {
    name: 'description',
    header: 'DESCRIPTION',
    value: (event) => displayValue(event.description),
  },
};

const pick = (...names: string[]): readonly ListColumn[] =>
  names.map((name) => EVENT_COLUMNS[name] as ListColumn);

/** The columns of `audit logs` and friends, shared by the table and the TSV output. */
export const LIST_COLUMNS: readonly ListColumn[] = pick(
  'time',
  'category',
  'action',
  'actor',
  'target',
  'ip',
  'description',
);

export const LIST_HEADERS: readonly string[] = LIST_COLUMNS.map((column) => column.header);

/** The header of each column; TIME's names the zone its times are shown in: `TIME (UTC)`. */
export function listHeaders(zone: string, columns: readonly ListColumn[] = LIST_COLUMNS): string[] {
  return columns.map((column) =>
    column.name === 'time' ? `${column.header} (${zoneHeaderLabel(zone)})` : column.header,
  );
}

export function listRow(
  event: AuditEvent,
  zone: string,
  columns: readonly ListColumn[] = LIST_COLUMNS,
): string[] {
  return columns.map((column) => column.value(event, zone));
}

/** The export columns, in the SPEC's order. */
export const CSV_COLUMNS = [
  'id',
  'timestamp',
  'category',
  'action',
  'description',
  'actor_id',
  'actor_name',
  'actor_email',
  'actor_type',
  'target_type',
  'target_id',
  'target_name',
  'ip_address',
  'user_agent',
  'team_id',
  'team_name',
  'changes',
  'metadata',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

export { neutralizeFormula };

// A missing field (or one of another type than the API's) is an empty cell.
const text = (value: unknown) => neutralizeFormula(typeof value === 'string' ? value : '');
const json = (value: JsonObject | null | undefined) =>
  value === null || value === undefined ? '' : neutralizeFormula(JSON.stringify(value));

/**
 * The CSV cells of `event` in CSV_COLUMNS order: nulls empty, changes and metadata as compact
 * JSON, formulas neutralized. An array, not a record: an export makes one per event.
 */
export function csvCells(event: AuditEvent): string[] {
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
    json(event.changes),
    json(event.metadata),
  ];
}
