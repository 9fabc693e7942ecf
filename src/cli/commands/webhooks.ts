import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { examples } from '../parse-options.js';
import { webhooksAddCommand } from './webhooks-add.js';
import {
  webhooksDeliveriesCommand,
  webhooksListCommand,
  webhooksRemoveCommand,
  webhooksTestCommand,
} from './webhooks-manage.js';

export function webhooksCommand(context: CliContext): Command {
  return new Command('webhooks')
    .description('real-time alerts: send matching events to a URL (JSON, Slack, Discord or Teams)')
    .addCommand(webhooksAddCommand(context))
    .addCommand(webhooksListCommand(context))
    .addCommand(webhooksRemoveCommand(context))
    .addCommand(webhooksTestCommand(context))
    .addCommand(webhooksDeliveriesCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit webhooks add --url https://hooks.slack.com/services/T/B/X --action "user.login_failed,security.*" --format slack',
        '$ audit webhooks list',
        '$ audit webhooks test whk_3f9a1c2b7d4e',
        '$ audit webhooks deliveries whk_3f9a1c2b7d4e',
      ),
    );
}
