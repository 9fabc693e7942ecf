import { Command } from 'commander';
import { stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

export function logsShowCommand(context: CliContext): Command {
  return new Command('show')
    .description('show one event in full, changes as old → new')
    .argument('<id>', 'the event id (log_…)')
    .addHelpText(
      'after',
      examples(
        '$ audit logs show log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E',
        '$ audit logs show log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E -o json',
      ),
    )
    .action(async (id: string, _options: unknown, command: Command) => {
      const session = await openSession(context, command);
      const event = await (await session.client()).getEvent(id);
      const format = session.flags.output;
      if (format === 'json' || format === 'ndjson') {
        context.stdout.write(`${stringifyJsonSafely(event, format === 'json' ? 2 : undefined)}\n`);
        return;
      }
      const { renderEventDetail } = await import('../output/event-detail.js');
      context.stdout.write(renderEventDetail(event, { zone: session.zone, color: session.color }));
    });
}
