import { Command, Option } from 'commander';
import type { ExportFlags, ExportPlan } from '../../export/plan.js';
import { EXPORT_FORMATS, type ExportFormat, SPLIT_PERIODS, type SplitPeriod } from '../../export/types.js';
import type { CliContext } from '../context.js';
import type { DateContext } from '../dates.js';
import { UsageError } from '../errors.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../filter-options.js';
import type { GlobalFlags } from '../globals.js';
import { columnsOption } from '../output-options.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

export interface ExportOptions extends FilterOptions {
  format?: ExportFormat;
  split?: SplitPeriod;
  gzip?: boolean;
  cursor?: string;
  columns?: string[];
  proof?: boolean;
  input: boolean;
}

export function exportCommand(context: CliContext): Command {
  const command = new Command('export')
    .summary('export a range of events to csv, json, ndjson or a pdf report')
    .description(
      'export a range of events to a file, every page, with progress: csv, json, ndjson or a pdf report',
    )
    .addOption(
      new Option('--format <format>', 'file format (default: from the -o name, else csv)').choices(
        EXPORT_FORMATS,
      ),
    )
    .addOption(
      new Option('--split <period>', 'one file per day or month of the display time zone').choices(
        SPLIT_PERIODS,
      ),
    )
    .option('--gzip', 'compress with gzip (implied by an -o name ending in .gz)')
    .option('--cursor <cursor>', 'resume an interrupted export from the cursor it printed')
    .addOption(
      columnsOption(
        'CSV: only these columns, in this order, e.g. id,timestamp,actor_email,action,ip_address',
      ),
    )
    .option(
      '--proof',
      "also write FILE.proof.json beside each file: proves offline (audit verify FILE) that it holds exactly the log's events, unmodified",
    )
    .option('--no-input', 'never prompt: without --from this is an error');
  return (
    addFilterOptions(command)
      .addHelpText(
        'after',
        examples(
          '$ audit export --from 2024-01-01 --to 2024-03-31 -o q1.csv        # -o names the file (default: audit-logs-<from>_<to>.<format>)',
          '$ audit export --from 2024-01-01 --to 2024-12-31 --split month --format json --gzip',
          '$ audit export --since 7d --category security --format pdf -o incident.pdf',
          '$ audit export --from 2024-01-01 --to 2024-01-31 --format ndjson -o - | jq .action',
          '$ audit export --since 30d --columns id,timestamp,actor_email,action,ip_address -o access.csv',
          '$ audit export --from 2024-01-01 --to 2024-03-31 -o q1.ndjson.gz --proof   # then: audit verify q1.ndjson.gz',
          '$ audit export                                                     # on a terminal: asks range, format and file',
        ),
      )
      // Parse, plan, run: every refusal of the flags is the plan's.
      .action(async (options: ExportOptions, cmd: Command) => {
        const session = await openSession(context, cmd);
        const dates = { zone: session.zone, now: context.now() };
        const { planExport, needsRange, typedFormatAndOutput, defaultOutputFor, ExportPlanError } =
          await import('../../export/plan.js');
        const flags = exportFlagsOf(options, session.flags, dates);
        const interactive = options.input !== false && Boolean(context.stdin.isTTY && context.stderr.isTTY);
        const answers =
          needsRange(flags) && interactive
            ? await (await import('./export-prompts.js')).askExport(context, {
                ...dates,
                ...typedFormatAndOutput(flags),
                defaultName: defaultOutputFor(flags, dates),
              })
            : undefined;
        let plan: ExportPlan;
        try {
          plan = planExport(flags, answers, dates);
        } catch (error) {
          if (error instanceof ExportPlanError) throw new UsageError(error.message, { cause: error });
          throw error;
        }
        const { runExport } = await import('./export-run.js');
        await runExport(session, plan);
      })
  );
}

/** The flags as the plan reads them; the filters other than the dates become list parameters. */
export function exportFlagsOf(options: ExportOptions, globals: GlobalFlags, dates: DateContext): ExportFlags {
  const { from, to, since, ...filters } = options;
  return {
    filters: filtersToParams(filters, dates),
    from,
    to,
    since,
    format: options.format,
    output: globals.output,
    split: options.split,
    gzip: options.gzip,
    cursor: options.cursor,
    columns: options.columns,
    proof: options.proof,
  };
}
