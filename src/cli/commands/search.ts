import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../filter-options.js';
import { addOutputOptions, type OutputOptions, outputFormatOf, resolveOutput } from '../output-options.js';
import { examples, integerInRange } from '../parse-options.js';
import { parseSearchQuery } from '../search-query.js';
import { listFormat, openSession } from '../session.js';

interface SearchOptions extends FilterOptions, OutputOptions {
  limit: number;
  all?: boolean;
  wide?: boolean;
}

export function searchCommand(context: CliContext): Command {
  const command = new Command('search')
    .summary('free-text search, with actor:, action:, category:, ip:, target: qualifiers')
    .description(
      'free-text search; key:value qualifiers (actor:, action:, category:, ip:, target:) become filters',
    )
    .argument('<text...>', 'words to find, and qualifiers such as actor:alice@example.com')
    .option('--limit <n>', 'how many events to show', integerInRange('--limit', 1, 1_000_000), 50)
    .option('--all', 'follow every page (ignores --limit)')
    .option('--wide', 'table: every column, the event id too, nothing cut or hidden (the terminal may wrap)');
  return addOutputOptions(addFilterOptions(command))
    .addHelpText(
      'after',
      examples(
        '$ audit search api-staging                                   # anything mentioning the tunnel',
        '$ audit search "card declined" category:billing --since 30d',
        '$ audit search actor:bob@example.com action:tunnel.* deleted',
        '$ audit search 198.51.100 --since 7d -o json',
        '$ audit search 198.51.100 --wide                             # with event ids, nothing cut',
        '$ audit search deleted --since 7d --columns id,time,actor_email,target_id -o csv',
        '$ audit search actor:bob@example.com --json id,action,target',
      ),
    )
    .action(async (words: string[], options: SearchOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      const format = listFormat(session, outputFormatOf(options, session.flags.output));
      const output = await resolveOutput(options, format);
      const { text, qualifiers } = parseSearchQuery(words.join(' '));
      const params = filtersToParams(options, { zone: session.zone, now: context.now() });
      // A flag and a qualifier for the same filter: the flag is explicit, so it wins.
      const merged = {
        ...params,
        actor: params.actor ?? qualifiers.actor,
        ip: params.ip ?? qualifiers.ip,
        target: params.target ?? qualifiers.target,
        action: params.action ?? qualifiers.action,
        category: params.category ?? (qualifiers.category as typeof params.category),
        q: [params.q, text].filter(Boolean).join(' ') || undefined,
      };
      if (!merged.q && !merged.actor && !merged.ip && !merged.target && !merged.action && !merged.category) {
        throw new UsageError('search: give some text or a qualifier such as actor:alice@example.com');
      }
      const client = await session.client();
      // Rendering (tables, colours, CSV) loads only when there is something to render.
      const { listEvents } = await import('../list-events.js');
      await listEvents(session, client, {
        params: merged,
        format,
        limit: options.all ? undefined : options.limit,
        wide: options.wide,
        output,
      });
    });
}
