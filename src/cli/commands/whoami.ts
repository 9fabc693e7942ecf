import { Command } from 'commander';
import type { Connection } from '../../config/settings.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

export function whoamiCommand(context: CliContext): Command {
  return new Command('whoami')
    .description('show the server, organization, user, role and token prefix in use')
    .addHelpText(
      'after',
      examples('$ audit whoami', '$ audit whoami -o json', '$ AUDIT_PROFILE=staging audit whoami'),
    )
    .action(async (_options: unknown, command: Command) => {
      const session = await openSession(context, command);
      const connection = await session.connection();
      const me = await (await session.client()).me();
      if (session.flags.output === 'json') {
        writeLine(
          context.stdout,
          stringifyJsonSafely({ server: connection.server, profile: connection.profile, ...me }, 2),
        );
        return;
      }
      const team = me.user.team ? `, team ${me.user.team.name}` : '';
      const retention =
        me.organization.retention_days === null ? 'kept forever' : `${me.organization.retention_days} days`;
      const lines = [
        ['Server', connection.server],
        ['Profile', `${connection.profile}${profileNotes(connection).join('')}`],
        ['Organization', `${me.organization.slug} (plan ${me.organization.plan}, retention ${retention})`],
        ['User', `${me.user.name} <${me.user.email}> (${me.user.id})`],
        ['Role', `${me.user.role}${team}`],
        ['Token', `${me.token.prefix}… (${me.token.scope}${me.token.name ? `, ${me.token.name}` : ''})`],
      ];
      for (const [label, value] of lines)
        writeLine(context.stdout, `${`${label}:`.padEnd(14)}${sanitizeForDisplay(String(value))}`);
    });
}

/** Where the profile and its token come from, when not simply the config file's active profile. */
function profileNotes(connection: Connection): string[] {
  const chosenBy = { flag: '--profile', env: 'AUDIT_PROFILE', config: undefined }[connection.profileSource];
  return [
    chosenBy ? ` (chosen by ${chosenBy})` : '',
    connection.tokenSource === 'profile' ? '' : ` (token from ${connection.tokenSource})`,
  ];
}
