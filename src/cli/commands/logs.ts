import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../filter-options.js';
import { addOutputOptions, type OutputOptions, outputFormatOf, resolveOutput } from '../output-options.js';
import { examples, integerInRange } from '../parse-options.js';
import { listFormat, openSession } from '../session.js';
import { logsShowCommand } from './logs-show.js';

interface LogsOptions extends FilterOptions, OutputOptions {
  limit: number;
  all?: boolean;
  wide?: boolean;
}

export function logsCommand(context: CliContext): Command {
  const command = new Command('logs')
    .description('list audit events, newest first, with filters')
    .option('--limit <n>', 'how many events to show', integerInRange('--limit', 1, 1_000_000), 50)
    .option('--all', 'follow every page (ignores --limit)')
    .option('--wide', 'table: every column, the event id too, nothing cut or hidden (the terminal may wrap)');
  addOutputOptions(addFilterOptions(command))
    .addCommand(logsShowCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit logs --since 24h --category auth,security            # incident: the last day of sign-ins',
        '$ audit logs --action user.login_failed --ip 198.51.100.77',
        '$ audit logs --target api-staging.example.net --action tunnel.deleted   # who deleted that tunnel?',
        '$ audit logs --actor me --from 2024-01-01 --to 2024-01-31 -o csv > january.csv',
        '$ audit logs --all -o ndjson | jq -r .actor.email | sort | uniq -c',
        '$ audit logs --wide --since 1h                               # every column, ids for audit logs show',
        '$ audit logs --columns id,time,actor,action,ip             # the id for audit logs show',
        '$ audit logs --since 24h --json id,action,actor --jq \'.[] | select(.action == "user.login_failed") | .actor.email\'',
      ),
    )
    .action(async (options: LogsOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      const format = listFormat(session, outputFormatOf(options, session.flags.output));
      const output = await resolveOutput(options, format);
      const params = filtersToParams(options, { zone: session.zone, now: context.now() });
      const client = await session.client();
      // Rendering (tables, colours, CSV) loads only when there is something to render.
      const { listEvents } = await import('../list-events.js');
      await listEvents(session, client, {
        params,
        format,
        limit: options.all ? undefined : options.limit,
        wide: options.wide,
        output,
      });
    });
  return command;
}
