/**
 * What `--columns` and `--json` name, checked against what exists: the list columns (table,
 * TSV), the CSV columns, the top-level fields of an event. A name that is not one is refused
 * with the whole list of valid ones, in one line, so the user can pick at once.
 */
import type { AuditEvent } from '../domain/event.js';
import { CSV_COLUMNS, type CsvColumn, EVENT_COLUMNS, type ListColumn } from './columns.js';

/** A name given that is not one of the choices; the message names the flag and the choices. */
export class ColumnChoiceError extends Error {
  override readonly name = 'ColumnChoiceError';
}

export const LIST_COLUMN_NAMES: readonly string[] = Object.keys(EVENT_COLUMNS);

/**
 * The table's names that mean exactly one CSV column. The table's `actor`, `target` and `team`
 * show the first present of several fields, so in a CSV they would be ambiguous: refused, with
 * the CSV columns they could mean.
 */
export const CSV_ALIASES: Readonly<Record<string, CsvColumn>> = { time: 'timestamp', ip: 'ip_address' };

/** The top-level fields of an event, as the API returns them: what `--json` picks from. */
export const JSON_FIELDS = [
  'id',
  'timestamp',
  'category',
  'action',
  'description',
  'actor',
  'target',
  'context',
  'changes',
  'metadata',
] as const satisfies readonly (keyof AuditEvent)[];
export type JsonField = (typeof JSON_FIELDS)[number];

/** `id,time,ip` as list columns, in the order given, each once. */
export function chooseListColumns(names: readonly string[]): readonly ListColumn[] {
  return choose(
    names,
    (name) => own(EVENT_COLUMNS, name),
    () => `choose from ${LIST_COLUMN_NAMES.join(', ')}`,
  );
}

/** `id,timestamp,actor_email` as CSV columns; `time` and `ip` are taken for `timestamp` and `ip_address`. */
export function chooseCsvColumns(names: readonly string[]): readonly CsvColumn[] {
  const isCsv = (name: string): name is CsvColumn => (CSV_COLUMNS as readonly string[]).includes(name);
  return choose(
    names,
    (name) => (isCsv(name) ? name : own(CSV_ALIASES, name)),
    (name) => {
      const meant = CSV_COLUMNS.filter((column) => column.startsWith(`${name}_`));
      const hint = meant.length > 0 ? `in CSV it is one of ${meant.join(', ')}; ` : '';
      return `${hint}CSV columns are ${CSV_COLUMNS.join(', ')}`;
    },
  );
}

/** `id,action,actor` as event fields, for `--json`; top-level only, as gh does. */
export function chooseJsonFields(names: readonly string[]): readonly JsonField[] {
  const isField = (name: string): name is JsonField => (JSON_FIELDS as readonly string[]).includes(name);
  return choose(
    names,
    (name) => (isField(name) ? name : undefined),
    (name) => {
      const parent = name.split('.')[0] ?? '';
      const nested =
        name.includes('.') && isField(parent)
          ? `fields are top-level only: pick ${parent} and reach inside it with --jq; `
          : '';
      return `${nested}available fields: ${JSON_FIELDS.join(', ')}`;
    },
  );
}

/** `event` with only `fields`, in their order; a field the event lacks is null, as the API's are. */
export function pickFields(event: AuditEvent, fields: readonly JsonField[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) picked[field] = event[field] ?? null;
  return picked;
}

function choose<T>(
  names: readonly string[],
  lookUp: (name: string) => T | undefined,
  choices: (name: string) => string,
): readonly T[] {
  const chosen: T[] = [];
  for (const name of names) {
    const found = lookUp(name.toLowerCase());
    if (found === undefined)
      throw new ColumnChoiceError(`${JSON.stringify(name)} is unknown; ${choices(name.toLowerCase())}`);
    if (!chosen.includes(found)) chosen.push(found);
  }
  return chosen;
}

/** A registry's own entry: `constructor` or `__proto__` typed as a name is no column. */
function own<T>(registry: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(registry, name) ? registry[name] : undefined;
}
