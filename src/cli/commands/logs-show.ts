import { Command } from 'commander';
import { stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { addOutputOptions, type OutputOptions, outputFormatOf, resolveOutput } from '../output-options.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

export function logsShowCommand(context: CliContext): Command {
  const command = new Command('show')
    .description('show one event in full, changes as old → new')
    .argument('<id>', 'the event id (log_…)');
  return addOutputOptions(command, { columns: false })
    .addHelpText(
      'after',
      examples(
        '$ audit logs show log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E',
        '$ audit logs show log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E -o json',
        '$ audit logs show log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E --json actor,context --jq .actor.email',
      ),
    )
    .action(async (id: string, _options: unknown, command: Command) => {
      // `audit logs show ID --json id`: `logs` has the same flags and commander gives them to it.
      const options = command.optsWithGlobals() as OutputOptions;
      if (options.columns !== undefined) {
        throw new UsageError('--columns chooses the columns of a list; for one event use --json FIELDS');
      }
      const session = await openSession(context, command);
      const format = outputFormatOf(options, session.flags.output);
      const { fields, jq } = await resolveOutput(options, format ?? 'detail');
      const filter = jq === undefined ? undefined : await loadJq(jq, session.stdoutIsTerminal);
      const event = await (await session.client()).getEvent(id);
      const shown =
        fields === undefined
          ? event
          : (await import('../../format/column-choice.js')).pickFields(event, fields);
      if (filter) {
        filter.apply(shown, (text) => context.stdout.write(text));
        return;
      }
      if (format === 'json' || format === 'ndjson') {
        context.stdout.write(`${stringifyJsonSafely(shown, format === 'json' ? 2 : undefined)}\n`);
        return;
      }
      const { renderEventDetail } = await import('../output/event-detail.js');
      context.stdout.write(renderEventDetail(event, { zone: session.zone, color: session.color }));
    });
}

async function loadJq(expression: string, terminal: boolean) {
  return (await import('../output/jq-filter.js')).loadJqFilter(expression, { terminal });
}
