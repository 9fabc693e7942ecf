import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { globalFlags } from '../globals.js';
import { examples } from '../parse-options.js';

export function logoutCommand(context: CliContext): Command {
  return new Command('logout')
    .description("forget the profile's token (server and organization are kept)")
    .addHelpText('after', examples('$ audit logout', '$ audit logout --profile staging'))
    .action(async (_options: unknown, command: Command) => {
      const { openProfileStore } = await import('../../config/profile-store.js');
      const store = openProfileStore(configDir(context.env));
      const name = globalFlags(command).profile ?? context.env.AUDIT_PROFILE ?? store.activeName();
      const profile = store.get(name);
      if (!profile?.token) {
        writeLine(context.stderr, `Profile "${name}" has no saved token; nothing to do.`);
      } else {
        const { token: _forgotten, ...rest } = profile;
        store.set(name, rest);
        writeLine(context.stderr, `Logged out: forgot the token of profile "${name}".`);
      }
      if (context.env.AUDIT_TOKEN)
        writeLine(context.stderr, 'Note: AUDIT_TOKEN is still set in this environment.');
    });
}
