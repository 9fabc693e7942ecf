import type { AuditEvent, JsonObject } from '../../domain/event.js';
import { displayValue } from './sanitize.js';
import { formatTimestamp } from './time-format.js';

export interface ListColumn {
  header: string;
  /** The cell for `event`, already safe for a terminal. */
  value(event: AuditEvent, zone: string): string;
}

const firstPresent = (...values: (string | null | undefined)[]) =>
  displayValue(values.find((value) => value !== null && value !== undefined && value !== ''));

/** The columns of `audit logs` and friends, shared by the table and the TSV output. */
export const LIST_COLUMNS: readonly ListColumn[] = [
  { header: 'TIME', value: (event, zone) => formatTimestamp(event.timestamp, zone) },
  { header: 'CATEGORY', value: (event) => displayValue(event.category) },
  { header: 'ACTION', value: (event) => displayValue(event.action) },
  {
    header: 'ACTOR',
    value: ({ actor }) => firstPresent(actor?.name, actor?.email, actor?.id),
  },
  { header: 'TARGET', value: ({ target }) => firstPresent(target?.name, target?.id) },
  { header: 'IP', value: ({ context }) => displayValue(context?.ip_address) },
  { header: 'DESCRIPTION', value: (event) => displayValue(event.description) },
];

export const LIST_HEADERS: readonly string[] = LIST_COLUMNS.map((column) => column.header);

export function listRow(event: AuditEvent, zone: string): string[] {
  return LIST_COLUMNS.map((column) => column.value(event, zone));
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
export type CsvRecord = Record<CsvColumn, string>;

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/** OWASP CSV injection defence: a spreadsheet must read the cell as text, never as a formula. */
export function neutralizeFormula(cell: string): string {
  return FORMULA_TRIGGER.test(cell) ? `'${cell}` : cell;
}

const text = (value: string | null | undefined) => value ?? '';
const json = (value: JsonObject | null) => (value === null ? '' : JSON.stringify(value));

/** One CSV row of `event`: nulls empty, changes and metadata as compact JSON, formulas neutralized. */
export function eventToCsvRecord(event: AuditEvent): CsvRecord {
  const { actor, target, context } = event;
  const raw: CsvRecord = {
    id: event.id,
    timestamp: event.timestamp,
    category: event.category,
    action: event.action,
    description: text(event.description),
    actor_id: text(actor?.id),
    actor_name: text(actor?.name),
    actor_email: text(actor?.email),
    actor_type: text(actor?.type),
    target_type: text(target?.type),
    target_id: text(target?.id),
    target_name: text(target?.name),
    ip_address: text(context?.ip_address),
    user_agent: text(context?.user_agent),
    team_id: text(context?.team_id),
    team_name: text(context?.team_name),
    changes: json(event.changes),
    metadata: json(event.metadata),
  };
  const record = {} as CsvRecord;
  for (const column of CSV_COLUMNS) record[column] = neutralizeFormula(raw[column]);
  return record;
}
