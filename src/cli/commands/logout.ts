import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import type { Logout } from '../../config/profile-changes.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { globalFlags } from '../globals.js';
import { examples } from '../parse-options.js';
import { asUsageError } from '../session.js';

export function logoutCommand(context: CliContext): Command {
  return new Command('logout')
    .description("forget the profile's token (server and organization are kept)")
    .addHelpText(
      'after',
      `
Logging out of the active profile makes "default" active again if it has a token; logout says
which profile is active afterwards. audit profile remove NAME deletes a profile altogether.
${examples('$ audit logout', '$ audit logout --profile staging')}`,
    )
    .action(async (_options: unknown, command: Command) => {
      const [{ openProfileStore }, { logOut }, { chooseProfile }] = await Promise.all([
        import('../../config/profile-store.js'),
        import('../../config/profile-changes.js'),
        import('../../config/settings.js'),
      ]);
      const store = openProfileStore(configDir(context.env));
      const { profile: name } = asUsageError(() =>
        chooseProfile(globalFlags(command), context.env, { activeName: () => store.activeName() }),
      );
      const result = asUsageError(() => logOut(store, name));
      // The file's active profile may have been named by hand: shown without control characters.
      const shown = sanitizeForDisplay(name);
      writeLine(
        context.stderr,
        result.forgot
          ? `Logged out: forgot the token of profile "${shown}".`
          : `Profile "${shown}" has no saved token; nothing to forget.`,
      );
      writeLine(context.stderr, afterLogout(result, store.get(result.active)?.token !== undefined));
      if (context.env.AUDIT_PROFILE && context.env.AUDIT_PROFILE !== result.active)
        writeLine(
          context.stderr,
          `Note: AUDIT_PROFILE is set to "${context.env.AUDIT_PROFILE}" in this environment.`,
        );
      if (context.env.AUDIT_TOKEN)
        writeLine(context.stderr, 'Note: AUDIT_TOKEN is still set in this environment.');
    });
}

/** Which profile the next command uses, and how to get going again when it has no token. */
function afterLogout(result: Logout, activeHasToken: boolean): string {
  const active = sanitizeForDisplay(result.active);
  if (result.switched)
    return `Active profile is now "${active}"; switch with audit profile use NAME (audit profile list shows them).`;
  if (activeHasToken) return `The active profile is still "${active}".`;
  return (
    `The active profile is still "${active}" (no token): sign in with audit login --profile ${active}, ` +
    'or switch with audit profile use NAME (audit profile list shows them).'
  );
}
