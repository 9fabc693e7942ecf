import type { AuditEvent, JsonObject } from '../domain/event.js';
import { exportFields } from '../domain/export-fields.js';
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
  values.find((value) => typeof value === 'string' && value !== '');

/** A column showing one value of the event, made safe for a terminal. */
const column = (name: string, header: string, shown: (event: AuditEvent) => unknown): ListColumn => ({
  name,
  header,
  value: (event) => displayValue(shown(event)),
});

/**
 * Every column a list can show (table, TSV), by the name `--columns` takes. Names are lower
 * snake case and stable: scripts depend on them. How each fits a terminal is the CLI's
 * (src/cli/output/column-layout.ts).
 */
export const EVENT_COLUMNS: Readonly<Record<string, ListColumn>> = Object.fromEntries(
  [
    column('id', 'ID', (event) => event.id),
    {
      name: 'time',
      header: 'TIME',
      value: (event: AuditEvent, zone: string) => formatTimestamp(event.timestamp, zone),
    },
    column('category', 'CATEGORY', (event) => event.category),
    column('action', 'ACTION', (event) => event.action),
    column('actor', 'ACTOR', ({ actor }) => firstPresent(actor?.name, actor?.email, actor?.id)),
    column('actor_id', 'ACTOR ID', ({ actor }) => actor?.id),
    column('actor_name', 'ACTOR NAME', ({ actor }) => actor?.name),
    column('actor_email', 'ACTOR EMAIL', ({ actor }) => actor?.email),
    column('actor_type', 'ACTOR TYPE', ({ actor }) => actor?.type),
    column('target', 'TARGET', ({ target }) => firstPresent(target?.name, target?.id)),
    column('target_type', 'TARGET TYPE', ({ target }) => target?.type),
    column('target_id', 'TARGET ID', ({ target }) => target?.id),
    column('target_name', 'TARGET NAME', ({ target }) => target?.name),
    column('ip', 'IP', ({ context }) => context?.ip_address),
    column('user_agent', 'USER AGENT', ({ context }) => context?.user_agent),
    column('team', 'TEAM', ({ context }) => firstPresent(context?.team_name, context?.team_id)),
    column('team_id', 'TEAM ID', ({ context }) => context?.team_id),
    column('team_name', 'TEAM NAME', ({ context }) => context?.team_name),
    column('description', 'DESCRIPTION', (event) => event.description),
  ].map((entry) => [entry.name, entry]),
);

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

const CSV_ENCODING = {
  text: neutralizeFormula,
  json: (value: JsonObject) => neutralizeFormula(JSON.stringify(value)),
};

/**
 * The CSV cells of `event` in CSV_COLUMNS order: nulls empty, changes and metadata as compact
 * JSON, formulas neutralized. An array, not a record: an export makes one per event.
 */
export function csvCells(event: AuditEvent): string[] {
  return exportFields(event, CSV_ENCODING);
}
