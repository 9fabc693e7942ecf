import { Command, Option } from 'commander';
import type { AuditClient } from '../../client/client.js';
import { MAX_DELIVERIES_PAGE_SIZE } from '../../domain/request-limits.js';
import { stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { type Cell, writeRows } from '../output/rows.js';
import { examples, integerInRange } from '../parse-options.js';
import { openSession } from '../session.js';

type Row = Cell[];

/**
 * Runs `work` with a client; prints JSON for `-o json`, else `render`'s rows, each cell
 * stripped of control characters (receivers' answers and URLs are not ours): aligned on a
 * terminal, tab-separated in a pipe.
 */
async function withClient<T>(
  context: CliContext,
  command: Command,
  work: (client: AuditClient) => Promise<T>,
  render: (result: T) => Row[],
): Promise<void> {
  const session = await openSession(context, command);
  const client = await session.client();
  try {
    const result = await work(client);
    if (session.flags.output === 'json') {
      // Descriptions and receivers' answers are not ours: no raw bidi or C1 characters.
      writeLine(context.stdout, stringifyJsonSafely(result, 2));
      return;
    }
    writeRows(context.stdout, render(result));
  } finally {
    await client.close();
  }
}

export function webhooksListCommand(context: CliContext): Command {
  return new Command('list')
    .description('list the webhooks (never their secrets)')
    .addHelpText('after', examples('$ audit webhooks list', '$ audit webhooks list -o json'))
    .action((_options: unknown, command: Command) =>
      withClient(
        context,
        command,
        (client) => client.listWebhooks(),
        (webhooks) =>
          webhooks.length === 0
            ? [['No webhooks.']]
            : [
                ['ID', 'FORMAT', 'ACTIONS', 'CATEGORIES', 'URL'],
                ...webhooks.map((hook) => [
                  hook.id,
                  hook.format,
                  hook.actions.join(','),
                  hook.categories.join(',') || 'any',
                  hook.url,
                ]),
              ],
      ),
    );
}

export function webhooksRemoveCommand(context: CliContext): Command {
  return new Command('remove')
    .description('delete a webhook; its pending deliveries are not sent')
    .argument('<id>', 'the webhook id (whk_…)')
    .addHelpText('after', examples('$ audit webhooks remove whk_3f9a1c2b7d4e'))
    .action((id: string, _options: unknown, command: Command) =>
      withClient(
        context,
        command,
        (client) => client.deleteWebhook(id).then(() => ({ deleted: id })),
        () => [[`Removed webhook ${id}.`]],
      ),
    );
}

export function webhooksTestCommand(context: CliContext): Command {
  return new Command('test')
    .description("send a sample event now and print the receiver's status and timing")
    .argument('<id>', 'the webhook id (whk_…)')
    .addHelpText('after', examples('$ audit webhooks test whk_3f9a1c2b7d4e'))
    .action((id: string, _options: unknown, command: Command) =>
      withClient(
        context,
        command,
        (client) => client.testWebhook(id),
        (result) =>
          result.status === null
            ? [[`No answer after ${result.duration_ms} ms: ${result.error ?? 'unknown error'}`]]
            : [
                [`Receiver answered ${result.status} in ${result.duration_ms} ms.`],
                ...(result.body ? [[result.body]] : []),
              ],
      ),
    );
}

export function webhooksDeliveriesCommand(context: CliContext): Command {
  return new Command('deliveries')
    .description('recent deliveries of a webhook: status, attempts, last error')
    .argument('<id>', 'the webhook id (whk_…)')
    .addOption(new Option('--status <status>', 'only these').choices(['pending', 'delivered', 'failed']))
    .option('--limit <n>', 'how many', integerInRange('--limit', 1, MAX_DELIVERIES_PAGE_SIZE), 50)
    .addHelpText('after', examples('$ audit webhooks deliveries whk_3f9a1c2b7d4e --status failed'))
    .action(
      (
        id: string,
        options: { status?: 'pending' | 'delivered' | 'failed'; limit: number },
        command: Command,
      ) =>
        withClient(
          context,
          command,
          (client) => client.webhookDeliveries(id, { status: options.status, per_page: options.limit }),
          (deliveries) =>
            deliveries.length === 0
              ? [['No deliveries yet.']]
              : [
                  ['ID', 'EVENT', 'ACTION', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED', 'NEXT OR DELIVERED'],
                  ...deliveries.map((delivery) => [
                    delivery.id,
                    delivery.event_id,
                    delivery.action,
                    delivery.status,
                    delivery.attempts,
                    delivery.last_status ?? delivery.last_error ?? '',
                    delivery.created_at,
                    delivery.delivered_at ?? delivery.next_attempt_at ?? '',
                  ]),
                ],
        ),
    );
}
