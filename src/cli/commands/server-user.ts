import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { examples } from '../parse-options.js';
import { adminAction, databaseUrlOption, dbOption } from './server-admin.js';

interface UserAddOptions {
  email: string;
  name?: string;
  role: 'owner' | 'admin' | 'member';
  team?: string;
}

export function serverUserCommand(context: CliContext): Command {
  const add = new Command('add')
    .description("add a user to the organization, or change an existing user's role and team")
    .requiredOption('--email <email>', "the user's email")
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .addOption(
      new Option('--role <role>', 'organization role; with --team, admin means team admin')
        .choices(['owner', 'admin', 'member'])
        .default('member'),
    )
    .option('--team <team>', 'team name (created on first use)')
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText(
      'after',
      examples(
        '$ audit server user add --email alice@example.com --name "Alice Chen" --role admin',
        '$ audit server user add --email bob@example.com --team Engineering --role admin   # team admin',
      ),
    )
    .action(async (options: UserAddOptions, command: Command) => {
      const { user, created } = await adminAction(context, command, (admin, org) =>
        admin.addUser(org, {
          email: options.email,
          name: options.name,
          role: options.role,
          team: options.team,
        }),
      );
      const team = user.team ? ` in team ${user.team.name}` : '';
      writeLine(
        context.stderr,
        `${created ? 'Added' : 'Updated'} ${user.email} (${user.publicId}) as ${user.role}${team}.`,
      );
    });
  return new Command('user')
    .description('manage the users of the bundled server')
    .addCommand(add)
    .addHelpText(
      'after',
      examples(
        '$ audit server user add --email alice@example.com --role admin',
        '$ audit server user add --email bob@example.com --role member     # bob now reads only his own events',
      ),
    );
}
