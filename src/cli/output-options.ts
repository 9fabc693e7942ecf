/**
 * The flags that choose what a list prints: `--columns` (table, TSV, CSV), `--json FIELDS` and
 * `--jq EXPR` (gh's pattern), and their resolution against the output format. Parsing here only
 * splits the lists: the names are checked once the format is known (a CSV has other columns).
 */
import { type Command, Option } from 'commander';
import type { JsonField } from '../format/column-choice.js';
import type { CsvColumn, ListColumn } from '../format/columns.js';
import { UsageError } from './errors.js';

export interface OutputOptions {
  columns?: string[];
  /** `--json` alone is `true`: the user asked which fields there are. */
  json?: string[] | true;
  jq?: string;
}

/** What the list commands print, resolved. */
export interface OutputChoice {
  /** Table and TSV columns, when `--columns` chose them. */
  columns?: readonly ListColumn[] | undefined;
  /** CSV columns, when `--columns` chose them. */
  csvColumns?: readonly CsvColumn[] | undefined;
  /** `--json`: only these fields. */
  fields?: readonly JsonField[] | undefined;
  /** `--jq`: the filter the picked fields go through. */
  jq?: string | undefined;
}

export function columnsOption(description: string): Option {
  return new Option('--columns <names>', description)
    .helpGroup('Output:')
    .argParser(nameList('--columns', 'id,time,action'));
}

/** `--columns`, `--json [fields]`, `--jq <expr>` on a command that lists events. */
export function addOutputOptions(command: Command, { columns = true } = {}): Command {
  if (columns) {
    command.addOption(
      columnsOption('only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)'),
    );
  }
  return command
    .addOption(
      new Option('--json [fields]', 'JSON with only these top-level fields, e.g. id,timestamp,action,actor')
        .helpGroup('Output:')
        .argParser(nameList('--json', 'id,timestamp,action')),
    )
    .addOption(
      new Option('--jq <expression>', "filter the --json output with jq, e.g. '.[].actor.email'")
        .helpGroup('Output:')
        .argParser((value: string) => {
          if (value.trim() === '') throw new UsageError('--jq: needs an expression, e.g. .[].action');
          return value;
        }),
    );
}

/** The part of the choice the flags make before any name is checked: what format they force. */
export function outputFormatOf(options: OutputOptions, requested: string | undefined): string | undefined {
  if (options.jq !== undefined && options.json === undefined) {
    throw new UsageError(
      "--jq filters the JSON of --json: add --json FIELDS, e.g. --json id,action --jq '.[].action'",
    );
  }
  if (options.json === undefined) return requested;
  if (options.columns !== undefined)
    throw new UsageError('--columns and --json cannot be used together: --json picks the fields of JSON');
  if (requested !== undefined && requested !== 'json' && requested !== 'ndjson') {
    throw new UsageError(`--json prints JSON; it cannot be used with -o ${requested}`);
  }
  return requested ?? 'json';
}

/**
 * The names checked against the format's columns or the event's fields; any unknown one is a
 * usage error that lists the valid names. Loaded with the rendering, not at start-up.
 */
export async function resolveOutput(options: OutputOptions, format: string): Promise<OutputChoice> {
  const choice = await import('../format/column-choice.js');
  const { chooseCsvColumns, chooseJsonFields, chooseListColumns, JSON_FIELDS } = choice;
  const asUsage = <T>(flag: string, choose: () => T): T => {
    try {
      return choose();
    } catch (error) {
      if (error instanceof choice.ColumnChoiceError)
        throw new UsageError(`${flag}: ${error.message}`, { cause: error });
      throw error;
    }
  };
  if (options.json !== undefined) {
    const names = options.json;
    if (names === true) {
      throw new UsageError(
        `--json: name the fields to print, e.g. --json id,timestamp,action; available fields: ${JSON_FIELDS.join(', ')}`,
      );
    }
    return { fields: asUsage('--json', () => chooseJsonFields(names)), jq: options.jq };
  }
  const names = options.columns;
  if (names === undefined) return {};
  if (format === 'csv') return { csvColumns: asUsage('--columns', () => chooseCsvColumns(names)) };
  if (format === 'json' || format === 'ndjson') {
    throw new UsageError(
      `--columns chooses the columns of a table, TSV or CSV; for -o ${format} use --json FIELDS`,
    );
  }
  return { columns: asUsage('--columns', () => chooseListColumns(names)) };
}

/** A comma list: trimmed names, none empty; `example` is one for this flag. */
function nameList(flag: string, example: string) {
  return (value: string): string[] => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (names.length === 0) throw new UsageError(`${flag}: needs a comma list of names, e.g. ${example}`);
    return names;
  };
}
