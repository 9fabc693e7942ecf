import { Command, Option } from 'commander';
import {
  isTimeDimension,
  MAX_STATS_GROUPS,
  STATS_DIMENSIONS,
  type StatsDimension,
} from '../../domain/stats.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { addFilterOptions } from '../filter-options.js';
import { examples, integerInRange } from '../parse-options.js';
import { openSession } from '../session.js';
import type { StatsOptions } from '../stats/request.js';

export function statsCommand(context: CliContext): Command {
  const by = new Option(
    '--by <dimensions>',
    'group by one or two of these, comma-separated (at most one of day and hour; default: category)',
  ).argParser(parseDimensions);
  // Listed in the help and the completions; the parser above does the checking.
  by.argChoices = [...STATS_DIMENSIONS];
  const command = new Command('stats')
    .summary('count events by category, actor, ip, day, … as a terminal chart')
    .description(
      'count events by category, action, actor, ip, team, target, day or hour: a chart on a terminal, the numbers otherwise',
    )
    .addOption(by)
    .option(
      '--top <n>',
      'keep the N largest groups and sum the rest as (other) (default: 10; not for day or hour alone)',
      integerInRange('--top', 1, MAX_STATS_GROUPS),
    );
  return addFilterOptions(command)
    .addHelpText(
      'after',
      examples(
        '$ audit stats                                                # events by category, last 30 days',
        '$ audit stats --by day --category auth --action user.login_failed   # failed sign-ins per day',
        '$ audit stats --by ip,action --top 10 --since 7d             # who does what from where',
        '$ audit stats --by hour --since 7d --utc                     # a sparkline of each day, in UTC',
        '$ audit stats --by day,category --since 14d                  # stacked bars with a legend',
        '$ audit stats --by actor -o csv > actors.csv                 # the numbers for a spreadsheet',
      ).concat(`
Without --from or --since, the last 30 days. Piped, or with -o tsv, the numbers only (dimensions,
count, percent); -o json prints the answer's data, -o ndjson one group per line, -o csv a CSV;
-o chart draws the chart even into a pipe. Days and hours are cut in the display zone (--tz, --utc).
`),
    )
    .action(async (options: StatsOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      // Loaded when the command runs, so that --help and the other commands never load it.
      const { statsFormat, statsRequest } = await import('../stats/request.js');
      const { fetchStats } = await import('../../client/insights.js');
      const format = statsFormat(session.flags.output, session.stdoutIsTerminal);
      const request = statsRequest(options, { zone: session.zone, now: context.now() });
      const client = await session.client();
      const data = await fetchStats(client, request.params);
      // The charts, colours and CSV writer load only when there is an answer to show.
      const { writeStats } = await import('../stats/write.js');
      await writeStats(session, data, request, format);
    });
}

/** `--by`: one or two dimensions, a comma list or repeated, at most one of day and hour. */
export function parseDimensions(value: string, previous: StatsDimension[] | undefined): StatsDimension[] {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(`--by: needs a dimension; choose from ${STATS_DIMENSIONS.join(', ')}`);
  for (const name of names) {
    if (!(STATS_DIMENSIONS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--by: ${JSON.stringify(name)} is not a dimension; choose one or two of ${STATS_DIMENSIONS.join(', ')}`,
      );
    }
  }
  const dimensions = [...new Set([...(previous ?? []), ...(names as StatsDimension[])])];
  if (dimensions.length > 2) {
    throw new UsageError(`--by: at most two dimensions, e.g. --by day,category; got ${dimensions.join(',')}`);
  }
  if (dimensions.filter(isTimeDimension).length > 1) {
    throw new UsageError('--by: day and hour cannot be combined; group by one of them');
  }
  return dimensions;
}
