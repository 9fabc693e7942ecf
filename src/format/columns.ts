import type { AuditEvent, JsonObject } from '../domain/event.js';
import { neutralizeFormula } from '../domain/formula-cells.js';
import { displayValue } from './sanitize.js';
import { formatTimestamp } from './time-format.js';

export interface ListColumn {
  /** What `--columns` calls it: lower case, stable. */
  name: string;
  header: string;
  /** Width in a followed log (`tail`); undefined: the column takes the rest of the line. */
  width?: number;
  /** The cell for `event`, already safe for a terminal. */
  value(event: AuditEvent, zone: string): string;
}

// The server's value may be of any type, or missing: the first non-empty string is shown.
const firstPresent = (...values: unknown[]) =>
  displayValue(values.find((value) => typeof value === 'string' && value !== ''));

/**
 * Every column a list can show (table, TSV), by the name `--columns` takes. Names are lower
 * snake case and stable: scripts depend on them. `width`: the width a followed log (`tail`) gives
 * the column; the one without takes the rest of the line.
 */
export const EVENT_COLUMNS: Readonly<Record<string, ListColumn>> = {
  id: { name: 'id', header: 'ID', width: 30, value: (event) => displayValue(event.id) },
  time: {
    name: 'time',
    header: 'TIME',
    width: 19,
    value: (event, zone) => formatTimestamp(event.timestamp, zone),
  },
  category: {
    name: 'category',
    header: 'CATEGORY',
    width: 8,
    value: (event) => displayValue(event.category),
  },
  action: { name: 'action', header: 'ACTION', width: 28, value: (event) => displayValue(event.action) },
  actor: {
    name: 'actor',
    header: 'ACTOR',
    width: 20,
    value: ({ actor }) => firstPresent(actor?.name, actor?.email, actor?.id),
  },
  actor_id: {
    name: 'actor_id',
    header: 'ACTOR ID',
    width: 20,
    value: ({ actor }) => displayValue(actor?.id),
  },
  actor_name: {
    name: 'actor_name',
    header: 'ACTOR NAME',
    width: 20,
    value: ({ actor }) => displayValue(actor?.name),
  },
  actor_email: {
    name: 'actor_email',
    header: 'ACTOR EMAIL',
    width: 24,
    value: ({ actor }) => displayValue(actor?.email),
  },
  actor_type: {
    name: 'actor_type',
    header: 'ACTOR TYPE',
    width: 10,
    value: ({ actor }) => displayValue(actor?.type),
  },
  target: {
    name: 'target',
    header: 'TARGET',
    width: 20,
    value: ({ target }) => firstPresent(target?.name, target?.id),
  },
  target_type: {
    name: 'target_type',
    header: 'TARGET TYPE',
    width: 12,
    value: ({ target }) => displayValue(target?.type),
  },
  target_id: {
    name: 'target_id',
    header: 'TARGET ID',
    width: 20,
    value: ({ target }) => displayValue(target?.id),
  },
  target_name: {
    name: 'target_name',
    header: 'TARGET NAME',
    width: 20,
    value: ({ target }) => displayValue(target?.name),
  },
  ip: { name: 'ip', header: 'IP', width: 15, value: ({ context }) => displayValue(context?.ip_address) },
  user_agent: {
    name: 'user_agent',
    header: 'USER AGENT',
    width: 30,
    value: ({ context }) => displayValue(context?.user_agent),
  },
  team: {
    name: 'team',
    header: 'TEAM',
    width: 16,
    value: ({ context }) => firstPresent(context?.team_name, context?.team_id),
  },
  team_id: {
    name: 'team_id',
    header: 'TEAM ID',
    width: 16,
    value: ({ context }) => displayValue(context?.team_id),
  },
  team_name: {
    name: 'team_name',
    header: 'TEAM NAME',
    width: 16,
    value: ({ context }) => displayValue(context?.team_name),
  },
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
