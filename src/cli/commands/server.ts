import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { examples } from '../parse-options.js';
import { serverKeyCommand } from './server-key.js';
import { serverOrgCommand } from './server-org.js';
import { serverStartCommand } from './server-start.js';
import { serverTokenCommand } from './server-token.js';
import { serverUserCommand } from './server-user.js';

export function serverCommand(context: CliContext): Command {
  return new Command('server')
    .description('run and administer the bundled audit-log server (SQLite)')
    .addCommand(serverStartCommand(context))
    .addCommand(serverUserCommand(context))
    .addCommand(serverTokenCommand(context))
    .addCommand(serverOrgCommand(context))
    .addCommand(serverKeyCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit server start --demo                      # a local server with 90 days of demo events',
        '$ audit server user add --email bob@example.com --role member',
        '$ audit server token create --user bob@example.com',
        '$ audit server org set-plan paid                 # keep 90 days',
        '$ audit server key show                          # the key auditors verify checkpoints with',
      ),
    );
}
