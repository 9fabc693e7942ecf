import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { examples } from '../parse-options.js';
import { asUsageError } from '../session.js';

export function profileUseCommand(context: CliContext): Command {
  return new Command('use')
    .description('make a saved profile the active one for every later command')
    .argument('<name>', 'the profile (audit profile list shows them)')
    .addHelpText(
      'after',
      examples('$ audit profile use staging', '$ audit profile use default && audit whoami'),
    )
    .action(async (name: string) => {
      const [{ openProfileStore }, { useProfile }] = await Promise.all([
        import('../../config/profile-store.js'),
        import('../../config/profile-changes.js'),
      ]);
      const store = openProfileStore(configDir(context.env));
      asUsageError(() => useProfile(store, name));
      writeLine(
        context.stderr,
        store.get(name)?.token
          ? `Active profile is now "${name}".`
          : `Active profile is now "${name}"; it has no token: sign in with audit login --profile ${name}.`,
      );
      noteShadowingProfile(context, name);
    });
}

export function profileRemoveCommand(context: CliContext): Command {
  return new Command('remove')
    .description('delete a saved profile and its token from the config file')
    .argument('<name>', 'the profile (audit profile list shows them)')
    .addHelpText(
      'after',
      `
The token is not revoked on the server: revoke it there too if it may have leaked
(audit server token revoke). Removing the active profile makes "default" active, else another
saved profile.
${examples('$ audit profile remove trial')}`,
    )
    .action(async (name: string) => {
      const [{ openProfileStore }, { removeProfile }] = await Promise.all([
        import('../../config/profile-store.js'),
        import('../../config/profile-changes.js'),
      ]);
      const store = openProfileStore(configDir(context.env));
      const removal = asUsageError(() => removeProfile(store, name));
      // A name from a hand-edited file may hold anything: shown without control characters.
      writeLine(
        context.stderr,
        `Removed profile "${sanitizeForDisplay(name)}"${removal.hadToken ? ' and its token' : ''} from ${store.path}.`,
      );
      if (removal.active === undefined) {
        writeLine(context.stderr, 'No profiles left; sign in with audit login.');
      } else if (removal.activeChanged) {
        writeLine(
          context.stderr,
          `Active profile is now "${sanitizeForDisplay(removal.active)}"; switch with audit profile use NAME.`,
        );
      } else {
        writeLine(context.stderr, `The active profile is still "${sanitizeForDisplay(removal.active)}".`);
      }
      noteShadowingProfile(context);
    });
}

/** `--profile` and AUDIT_PROFILE win over the file's choice: say so when one is set. */
function noteShadowingProfile(context: CliContext, chosen?: string): void {
  const shadow = context.env.AUDIT_PROFILE;
  if (shadow && shadow !== chosen) {
    writeLine(
      context.stderr,
      `Note: AUDIT_PROFILE is set to "${shadow}" in this environment and takes precedence; unset it to use the active profile.`,
    );
  }
}
