/**
 * What `audit export` will do, decided once from its flags (and the answers to its questions on
 * a terminal): the closed range, the format, the file, split, gzip and where to resume. Pure:
 * the clock and the zone come in, every refusal goes out as an ExportPlanError.
 */
import type { ListParams } from '../client/types.js';
import {
  assertOrderedRange,
  type DateContext,
  DateFlagError,
  parseFromDate,
  parseToDate,
} from '../domain/date-flags.js';
import { ColumnChoiceError, chooseCsvColumns } from '../format/column-choice.js';
import type { CsvColumn } from '../format/columns.js';
import { isGzipName, STDOUT } from './atomic-file.js';
import { decodeResumePoint, ExportCursorError, type ResumePoint } from './export-cursor.js';
import { defaultExportName } from './export-files.js';
import { EXPORT_FORMATS, type ExportFormat, type SplitPeriod } from './types.js';

/** The export flags as commander parsed them. */
export interface ExportFlags {
  /** The list filters other than the dates, as list parameters. */
  filters: ListParams;
  from?: string | undefined;
  to?: string | undefined;
  /** Already in the server's form (digits + unit). */
  since?: string | undefined;
  format?: ExportFormat | undefined;
  /** `-o`: a file, `-` for standard output, or a format name. */
  output?: string | undefined;
  split?: SplitPeriod | undefined;
  gzip?: boolean | undefined;
  cursor?: string | undefined;
  /** `--columns`: CSV column names as typed. */
  columns?: readonly string[] | undefined;
  /** `--proof`: write FILE.proof.json beside each file. */
  proof?: boolean | undefined;
}

/** What the questions on a terminal asked for when no range was given. */
export interface ExportAnswers {
  /** As the user would type the flags: `24h`, `2024-01-01`, `now`… */
  from: string;
  to: string;
  format: ExportFormat;
  output: string;
}

export interface ExportPlan {
  /** The filters and a closed range: `from` and `to` are instants. */
  params: ListParams & { from: string; to: string };
  format: ExportFormat;
  output: string;
  gzip: boolean;
  split: SplitPeriod | undefined;
  /** The cursor as typed, and what it says; undefined for a fresh export. */
  cursor: string | undefined;
  resume: ResumePoint | undefined;
  /** `output` is the name the user typed after -o. */
  outputNamedByUser: boolean;
  /** CSV: the columns `--columns` chose; undefined for every column. */
  columns: readonly CsvColumn[] | undefined;
  /** Write FILE.proof.json beside each file, the export pinned to the latest checkpoint. */
  proof: boolean;
}

/** A refusal of the flags; the message says which flag and what to do. */
export class ExportPlanError extends Error {
  override readonly name = 'ExportPlanError';
}

/** True when the flags give no range: a terminal asks for one, anything else is refused. */
export function needsRange(flags: ExportFlags): boolean {
  return flags.from === undefined && flags.since === undefined;
}

/** The format and file as the flags give them: `-o json` reads as a format, else the name's extension. */
export function typedFormatAndOutput(flags: ExportFlags): { format?: ExportFormat; output?: string } {
  let { format, output } = flags;
  // A file literally named "json" is ./json.
  if (output !== undefined && (EXPORT_FORMATS as readonly string[]).includes(output) && !format) {
    format = output as ExportFormat;
    output = undefined;
  }
  format ??= output === undefined ? undefined : formatOfName(output);
  return { ...(format ? { format } : {}), ...(output !== undefined ? { output } : {}) };
}

/** The file name offered when none was given, for a range as the user types it. */
export function defaultOutputFor(flags: ExportFlags, dates: DateContext) {
  return (from: string, to: string, format: ExportFormat): string =>
    refuseAsPlan(() =>
      defaultExportName({
        from: parseFromDate(from, dates),
        to: parseToDate(to, dates),
        format,
        gzip: Boolean(flags.gzip),
        split: flags.split,
        zone: dates.zone,
      }),
    );
}

export function planExport(
  flags: ExportFlags,
  answers: ExportAnswers | undefined,
  dates: { now: number; zone: string },
): ExportPlan {
  return refuseAsPlan(() => {
    const typed = typedFormatAndOutput(flags);
    let { format, output } = typed;
    let range = { from: flags.from, to: flags.to, since: flags.since };
    if (answers) {
      range = { from: answers.from, to: answers.to, since: undefined };
      format = answers.format;
      output = answers.output;
    } else if (needsRange(flags)) {
      throw new ExportPlanError('--from is required, e.g. --from 2024-01-01 --to 2024-01-31 (or --since 7d)');
    }
    const params = { ...flags.filters, ...closedRange(range, dates) };
    const chosen = format ?? 'csv';
    const gzip = Boolean(flags.gzip) || (output !== undefined && isGzipName(output));
    const named = { from: params.from, to: params.to, format: chosen, gzip: Boolean(flags.gzip) };
    let file = output ?? defaultExportName({ ...named, split: flags.split, zone: dates.zone });
    if (gzip && file !== STDOUT && !isGzipName(file)) file += '.gz';
    if (flags.split && file === STDOUT)
      throw new ExportPlanError('--split writes one file per period; give -o FILE, not -');
    if (flags.cursor && chosen === 'pdf')
      throw new ExportPlanError('--cursor: a PDF report cannot be resumed; export it again');
    if (flags.proof) assertProvable(chosen, file, flags);
    const columns = csvColumnsOf(flags.columns, chosen);
    const resume = flags.cursor === undefined ? undefined : decodeResumePoint(flags.cursor);
    if (resume) assertSameColumns(resume, columns);
    return {
      params,
      format: chosen,
      output: file,
      gzip,
      split: flags.split,
      cursor: flags.cursor,
      resume,
      // Only a name typed after -o may replace a symbolic link; one made up here may not.
      outputNamedByUser: typed.output !== undefined && file === typed.output,
      columns,
      proof: flags.proof === true,
    };
  });
}

/** A proof covers whole events in a file of rows, read at one checkpoint. */
function assertProvable(format: ExportFormat, file: string, flags: ExportFlags): void {
  if (format === 'pdf')
    throw new ExportPlanError(
      '--proof: a PDF report cannot be proved row by row; export csv, json or ndjson',
    );
  if (file === STDOUT)
    throw new ExportPlanError('--proof writes FILE.proof.json beside the file; give -o FILE, not -');
  if (flags.columns !== undefined)
    throw new ExportPlanError('--proof covers whole events; export every column (drop --columns)');
  if (flags.cursor !== undefined)
    throw new ExportPlanError(
      '--proof: a resumed export cannot be proved (its first part was read before any checkpoint was pinned); export the range again with --proof',
    );
}

/** `--columns` as CSV columns; any other format has every field, so there it is a mistake. */
function csvColumnsOf(
  names: readonly string[] | undefined,
  format: ExportFormat,
): readonly CsvColumn[] | undefined {
  if (names === undefined) return undefined;
  if (format !== 'csv') {
    throw new ExportPlanError(
      `--columns chooses the columns of a CSV export; a ${format} export has every field`,
    );
  }
  try {
    return chooseCsvColumns(names);
  } catch (error) {
    if (error instanceof ColumnChoiceError) throw new ExportPlanError(`--columns: ${error.message}`);
    throw error;
  }
}

/**
 * A resume appends rows to the partial the first run left: they must have that file's columns.
 * The cursor says which those were; a resume that asks for others is refused.
 */
function assertSameColumns(resume: ResumePoint, columns: readonly CsvColumn[] | undefined): void {
  const before = resume.columns?.join(',');
  const now = columns?.join(',');
  if (before === now) return;
  throw new ExportPlanError(
    before === undefined
      ? '--cursor: this export was started with every column; resume it without --columns'
      : `--cursor: this export was started with --columns ${before}; resume it with the same --columns`,
  );
}

/** `--since` becomes `from`, and a missing `--to` is now, as this run sees it. */
function closedRange(
  range: { from?: string | undefined; to?: string | undefined; since?: string | undefined },
  dates: { now: number; zone: string },
): { from: string; to: string } {
  if (range.since !== undefined && range.from !== undefined) {
    throw new ExportPlanError('--since and --from cannot be used together; give one of them');
  }
  const from = parseFromDate((range.from ?? range.since) as string, dates);
  const to = range.to === undefined ? new Date(dates.now).toISOString() : parseToDate(range.to, dates);
  assertOrderedRange(from, to);
  return { from, to };
}

function formatOfName(output: string): ExportFormat | undefined {
  const match = /\.(csv|json|ndjson|pdf)(\.gz)?$/i.exec(output);
  return match ? (match[1]?.toLowerCase() as ExportFormat) : undefined;
}

/** Date and cursor mistakes are refusals of the plan like the others. */
function refuseAsPlan<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof DateFlagError || error instanceof ExportCursorError)
      throw new ExportPlanError(error.message);
    throw error;
  }
}
