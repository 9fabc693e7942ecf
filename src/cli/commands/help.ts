import { Argument, Command } from 'commander';
import { type CliContext, writeLine } from '../context.js';
import { UsageError } from '../errors.js';
import { HELP_TOPICS } from '../help-topics.js';
import { examples } from '../parse-options.js';

/**
 * `audit help [command...]`, commander's help command plus reference topics
 * (`audit help environment`, `audit help exit-codes`). Added last, once the tree is built.
 */
export function helpCommand(context: CliContext, program: Command): Command {
  const topic = new Argument('[command...]', 'a command (also nested: logs show) or a topic');
  // Offered in the help and by completion; the action below does the checking.
  topic.argChoices = [...program.commands.map((command) => command.name()), ...Object.keys(HELP_TOPICS)];
  return new Command('help')
    .description('display help for a command, or a topic: environment, exit-codes')
    .addArgument(topic)
    .addHelpText(
      'after',
      examples(
        '$ audit help logs',
        '$ audit help server token create',
        '$ audit help environment',
        '$ audit help exit-codes',
      ),
    )
    .action((words: string[]) => {
      const [first] = words;
      if (first === undefined) return program.help();
      const page = HELP_TOPICS[first];
      if (page && words.length === 1) {
        writeLine(context.stdout, page.text().trimEnd());
        return;
      }
      let command = program;
      for (const word of words) {
        const next = command.commands.find(
          (child) => child.name() === word || child.aliases().includes(word),
        );
        if (!next) {
          const known = [...program.commands.map((child) => child.name()), ...Object.keys(HELP_TOPICS)];
          throw new UsageError(`no help for "${words.join(' ')}"; try one of: ${known.join(', ')}`);
        }
        command = next;
      }
      command.help();
    });
}
