import { Command, Option } from 'commander';
import { STATS_DIMENSIONS } from '../../domain/stats.js';
import type { CliContext } from '../context.js';
import { addFilterOptions } from '../filter-options.js';
import { examples, integerInRange } from '../parse-options.js';
import { openSession } from '../session.js';
import {
  DEFAULT_TOP,
  parseDimensions,
  type StatsOptions,
  statsFormat,
  statsRequest,
} from '../stats/request.js';

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
      `keep the N largest groups and sum the rest as (other) (default: ${DEFAULT_TOP}; not for day or hour alone)`,
      integerInRange('--top', 1, 1000),
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
      const format = statsFormat(session.flags.output, session.stdoutIsTerminal);
      const request = statsRequest(options, { zone: session.zone, now: context.now() });
      const client = await session.client();
      const data = await client.stats(request.params);
      // The charts, colours and CSV writer load only when there is an answer to show.
      const { writeStats } = await import('../stats/write.js');
      await writeStats(session, data, request, format);
    });
}
