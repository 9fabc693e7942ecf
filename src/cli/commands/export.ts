import { Command, Option } from 'commander';
import type { ListParams } from '../../client/types.js';
import { EXPORT_FORMATS, type ExportFormat, SPLIT_PERIODS, type SplitPeriod } from '../../export/types.js';
import type { CliContext } from '../context.js';
import { parseFromFlag, parseToFlag } from '../dates.js';
import { UsageError } from '../errors.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../filter-options.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';
import type { ExportPlan } from './export-run.js';

interface ExportOptions extends FilterOptions {
  format?: ExportFormat;
  split?: SplitPeriod;
  gzip?: boolean;
  cursor?: string;
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
    .option('--no-input', 'never prompt: without --from this is an error');
  return addFilterOptions(command)
    .addHelpText(
      'after',
      examples(
        '$ audit export --from 2024-01-01 --to 2024-03-31 -o q1.csv        # -o names the file (default: audit-logs-<from>_<to>.<format>)',
        '$ audit export --from 2024-01-01 --to 2024-12-31 --split month --format json --gzip',
        '$ audit export --since 7d --category security --format pdf -o incident.pdf',
        '$ audit export --from 2024-01-01 --to 2024-01-31 --format ndjson -o - | jq .action',
        '$ audit export                                                     # on a terminal: asks range, format and file',
      ),
    )
    .action(async (options: ExportOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      const { zone } = session;
      const now = context.now();
      const dates = { zone, now };
      const { defaultExportName, isGzipName } = await loadExporter();
      let output = session.flags.output;
      let format = options.format;
      // `-o json` reads as a format: a file literally named "json" is ./json.
      if (output !== undefined && (EXPORT_FORMATS as readonly string[]).includes(output) && !format) {
        format = output as ExportFormat;
        output = undefined;
      }
      format ??= output === undefined ? undefined : formatOfName(output);
      // Only a name typed after -o may replace a symbolic link; one made up here may not.
      const typed = output;
      const nameFor = (from: string, to: string, chosen: ExportFormat) =>
        defaultExportName({
          from,
          to,
          format: chosen,
          gzip: Boolean(options.gzip),
          split: options.split,
          zone,
        });

      let filters: FilterOptions = options;
      if (options.from === undefined && options.since === undefined) {
        const interactive = options.input !== false && Boolean(context.stdin.isTTY && context.stderr.isTTY);
        if (!interactive) {
          throw new UsageError('--from is required, e.g. --from 2024-01-01 --to 2024-01-31 (or --since 7d)');
        }
        const { askExport } = await import('./export-prompts.js');
        const answers = await askExport(context, {
          zone,
          now,
          format,
          output,
          defaultName: (from, to, chosen) =>
            nameFor(parseFromFlag(from, dates), parseToFlag(to, dates), chosen),
        });
        filters = { ...options, from: answers.from, to: answers.to };
        format = answers.format;
        output = answers.output;
      }
      const params = exportParams(filtersToParams(filters, dates), now, dates);
      format ??= 'csv';
      const gzip = Boolean(options.gzip) || (output !== undefined && isGzipName(output));
      output ??= nameFor(params.from as string, params.to as string, format);
      if (gzip && output !== '-' && !isGzipName(output)) output += '.gz';
      if (options.split && output === '-')
        throw new UsageError('--split writes one file per period; give -o FILE, not -');
      if (options.cursor && format === 'pdf')
        throw new UsageError('--cursor: a PDF report cannot be resumed; export it again');

      const { runExport } = await import('./export-run.js');
      await runExport(session, cmd, {
        params: params as ExportPlan['params'],
        format,
        output,
        gzip,
        split: options.split,
        cursor: options.cursor,
        outputNamedByUser: output === typed,
      });
    });
}

async function loadExporter() {
  const [files, atomic] = await Promise.all([
    import('../../export/export-files.js'),
    import('../../export/atomic-file.js'),
  ]);
  return { ...files, ...atomic };
}

/** A closed range: `--since` becomes `from`, and a missing `--to` is now, as this run sees it. */
function exportParams(params: ListParams, now: number, dates: { zone: string; now: number }): ListParams {
  const resolved = { ...params };
  if (resolved.since !== undefined) {
    resolved.from = parseFromFlag(resolved.since, dates);
    delete resolved.since;
  }
  resolved.to ??= new Date(now).toISOString();
  if (resolved.from !== undefined && Date.parse(resolved.from) > Date.parse(resolved.to)) {
    throw new UsageError(
      `--from (${resolved.from}) is after --to (${resolved.to}); swap them or widen the range`,
    );
  }
  return resolved;
}

function formatOfName(output: string): ExportFormat | undefined {
  const match = /\.(csv|json|ndjson|pdf)(\.gz)?$/i.exec(output);
  return match ? (match[1]?.toLowerCase() as ExportFormat) : undefined;
}
