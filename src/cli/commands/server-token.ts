import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { writeRows } from '../output/rows.js';
import { examples } from '../parse-options.js';
import { adminAction, databaseUrlOption, dbOption } from './server-admin.js';

export function serverTokenCommand(context: CliContext): Command {
  const create = new Command('create')
    .description('create an API token for a user; prints only the token on stdout')
    .requiredOption('--user <email>', 'the user the token acts as')
    .addOption(
      new Option('--scope <scope>', "read: the user's role decides; ingest: may only send events")
        .choices(['read', 'ingest'])
        .default('read'),
    )
    .option('--name <name>', 'what the token is for (shown in token list)')
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText(
      'after',
      examples(
        '$ audit server token create --user alice@example.com --name laptop',
        '$ audit server token create --user ci@example.com --scope ingest --name deploy-pipeline',
        '$ audit server token create --user alice@example.com | audit login --with-token',
      ),
    )
    .action(
      async (
        options: {
          user: string;
          scope: 'read' | 'ingest';
          name?: string;
        },
        command: Command,
      ) => {
        const { token, record } = await adminAction(context, command, (admin, org) =>
          admin.createToken(org, options.user, options.scope, options.name),
        );
        writeLine(context.stdout, token);
        writeLine(
          context.stderr,
          `Created ${record.scope} token ${record.prefix}… for ${record.userEmail}. It is shown only once.`,
        );
      },
    );

  const list = new Command('list')
    .description('list tokens by prefix (never the tokens themselves)')
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText(
      'after',
      examples(
        '$ audit server token list',
        '$ audit server token list --db /srv/audit/audit.db          # the server started with --db',
      ),
    )
    .action(async (_options: unknown, command: Command) => {
      const tokens = await adminAction(context, command, (admin, org) => admin.listTokens(org));
      writeRows(context.stdout, [
        ['PREFIX', 'USER', 'SCOPE', 'NAME', 'CREATED', 'STATUS'],
        ...tokens.map((token) => [
          token.prefix,
          token.userEmail,
          token.scope,
          token.name ?? '',
          new Date(token.createdAt).toISOString(),
          token.revokedAt === null ? 'active' : `revoked ${new Date(token.revokedAt).toISOString()}`,
        ]),
      ]);
    });

  const revoke = new Command('revoke')
    .description('revoke a token by its prefix; it stops working at once')
    .argument('<prefix>', 'the prefix shown by token list (adt_…)')
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText('after', examples('$ audit server token revoke adt_4f9Kx2Qa'))
    .action(async (prefix: string, _options: unknown, command: Command) => {
      const token = await adminAction(context, command, (admin, org) => admin.revokeToken(org, prefix));
      writeLine(context.stderr, `Revoked token ${token.prefix}… of ${token.userEmail}.`);
    });

  return new Command('token')
    .description('manage API tokens of the bundled server')
    .addCommand(create)
    .addCommand(list)
    .addCommand(revoke)
    .addHelpText(
      'after',
      examples(
        '$ audit server token create --user ci@example.com --scope ingest --name deploy-pipeline',
        '$ audit server token list',
        '$ audit server token revoke adt_4f9Kx2Qa                    # incident: a leaked token stops at once',
      ),
    );
}
