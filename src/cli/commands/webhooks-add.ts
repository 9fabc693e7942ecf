import { Command, Option } from 'commander';
import type { WebhookFormat } from '../../client/types.js';
import { CATEGORIES } from '../../domain/categories.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { UsageError } from '../errors.js';
import { examples } from '../parse-options.js';
import { readAllText } from '../read-all-text.js';
import { openSession } from '../session.js';

interface AddOptions {
  url: string;
  action: string;
  category?: string;
  format: WebhookFormat;
  secretStdin?: boolean;
  description?: string;
}

/** Listed in the help and completions; the server checks the comma list and names a bad one. */
function categoryOption(): Option {
  const option = new Option('--category <categories>', 'only these categories, comma-separated');
  option.argChoices = [...CATEGORIES];
  return option;
}

export function webhooksAddCommand(context: CliContext): Command {
  return new Command('add')
    .description(
      'subscribe a URL to events; the signing secret is generated and shown once, or read from stdin',
    )
    .requiredOption('--url <url>', 'where to POST matching events (http or https)')
    .requiredOption('--action <patterns>', 'actions, comma-separated; `security.*` matches a prefix')
    .addOption(categoryOption())
    .addOption(
      new Option('--format <format>', 'message shape')
        .choices(['json', 'slack', 'discord', 'teams'])
        .default('json'),
    )
    .option('--secret-stdin', 'read the signing secret from standard input (at least 16 characters)')
    .option('--description <text>', 'what the webhook is for')
    .addHelpText(
      'after',
      examples(
        '$ audit webhooks add --url https://siem.example.com/audit --action "security.*,user.login_failed"',
        '$ audit webhooks add --url https://hooks.slack.com/services/T/B/X --action team.member_role_changed --format slack',
        '$ vault read -field=secret kv/audit-hook | audit webhooks add --url https://x.example.com --action "*" --secret-stdin',
      ),
    )
    .action(async (options: AddOptions, command: Command) => {
      const session = await openSession(context, command);
      const secret = options.secretStdin ? await readSecret(context.stdin) : undefined;
      const client = await session.client();
      try {
        const created = await client.createWebhook({
          url: options.url,
          actions: options.action,
          categories: options.category,
          format: options.format,
          secret,
          description: options.description,
        });
        writeLine(
          context.stderr,
          `Created webhook ${created.webhook.id} (${created.webhook.format}) for ${created.webhook.actions.join(', ')}${created.webhook.categories.length > 0 ? ` in ${created.webhook.categories.join(', ')}` : ''}.`,
        );
        if (!secret) {
          // The secret goes to stdout alone, so it can be captured: `SECRET=$(audit webhooks add …)`.
          writeLine(
            context.stderr,
            'Signing secret (shown only once; receivers verify Audit-Signature with it):',
          );
          writeLine(context.stdout, created.secret);
        }
      } finally {
        await client.close();
      }
    });
}

async function readSecret(stdin: NodeJS.ReadableStream): Promise<string> {
  const secret = (await readAllText(stdin)).trim();
  if (secret.length < 16) throw new UsageError('--secret-stdin: the secret must be at least 16 characters');
  return secret;
}
