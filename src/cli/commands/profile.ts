import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import { activeNameIn, configFileIn, DEFAULT_PROFILE, profileIn } from '../../config/profile-file.js';
import { isProfileName } from '../../config/profile-name.js';
import { inspectConfigFile } from '../../config/profile-reader.js';
import { chooseProfile, type ProfileSource } from '../../config/settings.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { UsageError } from '../errors.js';
import { globalFlags } from '../globals.js';
import { writeRows } from '../output/rows.js';
import { examples } from '../parse-options.js';
import { asUsageError } from '../session.js';
import { profileRemoveCommand, profileUseCommand } from './profile-change.js';

export function profileCommand(context: CliContext): Command {
  return new Command('profile')
    .description('list the saved profiles, choose the active one, remove one')
    .addCommand(profileListCommand(context))
    .addCommand(profileUseCommand(context))
    .addCommand(profileRemoveCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit profile list',
        '$ audit profile use staging',
        '$ audit profile remove trial',
        '$ audit --profile staging logs --since 1h      # one command with another profile',
      ),
    );
}

/** What `--profile` or `AUDIT_PROFILE` is called in a message. */
export const PROFILE_SOURCE_NAMES: Record<Exclude<ProfileSource, 'config'>, string> = {
  flag: '--profile',
  env: 'AUDIT_PROFILE',
};

function profileListCommand(context: CliContext): Command {
  return new Command('list')
    .description(
      'list the profiles: the active one marked *, server, organization, whether a token is stored',
    )
    .addHelpText(
      'after',
      `
The token itself is never shown (audit whoami shows its prefix). -o json gives the same as an
object; -o name gives only the names, one a line. The active profile is --profile, else
AUDIT_PROFILE, else the one the config file names (audit profile use NAME sets it).
${examples(
  '$ audit profile list',
  '$ audit profile list -o json',
  '$ audit profile list | cut -f2                 # the names, from the tab-separated form',
)}`,
    )
    .action(async (_options: unknown, command: Command) => {
      const flags = globalFlags(command);
      const format = flags.output === 'table' ? undefined : flags.output;
      if (format !== undefined && format !== 'json' && format !== 'name') {
        throw new UsageError(`--output for profile list must be table, json or name; got "${format}"`);
      }
      // Read as the profile commands that change the file read it, without their writing parts.
      const path = configFileIn(configDir(context.env));
      const file = asUsageError(() => inspectConfigFile(path));
      const { profile: active, profileSource } = asUsageError(() =>
        chooseProfile(flags, context.env, { activeName: () => activeNameIn(file) }),
      );
      const names = Object.keys(file.profiles);
      const profiles = names.map((name) => {
        const profile = profileIn(file, name) ?? {};
        return {
          name,
          active: name === active,
          server: profile.server ?? null,
          org: profile.org ?? null,
          token: Boolean(profile.token),
        };
      });

      if (format === 'name') {
        // Only names a shell can take as they are: this is what the completions offer.
        for (const name of names.filter(isProfileName)) writeLine(context.stdout, name);
        return;
      }
      if (format === 'json') {
        writeLine(
          context.stdout,
          stringifyJsonSafely({ active, activeFrom: profileSource, file: path, profiles }, 2),
        );
      } else if (profiles.length > 0) {
        writeRows(context.stdout, [
          ['ACTIVE', 'NAME', 'SERVER', 'ORG', 'TOKEN'],
          ...profiles.map((row) => [
            row.active ? '*' : '',
            row.name,
            row.server ?? '-',
            row.org ?? '-',
            row.token ? 'stored' : 'none',
          ]),
        ]);
      }
      for (const line of listNotes(active, profileSource, names, activeNameIn(file), context.env)) {
        writeLine(context.stderr, line);
      }
    });
}

/** What the table cannot say: where the active profile comes from, an empty file, AUDIT_TOKEN. */
function listNotes(
  activeName: string,
  source: ProfileSource,
  names: string[],
  fileActiveName: string,
  env: NodeJS.ProcessEnv,
): string[] {
  // The file's names may have been edited by hand: shown without control characters.
  const active = sanitizeForDisplay(activeName);
  const fileActive = sanitizeForDisplay(fileActiveName);
  const notes: string[] = [];
  if (names.length === 0) {
    notes.push(`There are no profiles yet; create one with audit login (or audit login --profile NAME).`);
  } else if (source !== 'config') {
    const by = PROFILE_SOURCE_NAMES[source];
    notes.push(
      names.includes(activeName)
        ? `The active profile "${active}" is chosen by ${by}; the config file's is "${fileActive}".`
        : `The active profile "${active}" (chosen by ${by}) is not a saved profile; audit login --profile ${active} creates it.`,
    );
  } else if (!names.includes(activeName)) {
    notes.push(
      activeName === DEFAULT_PROFILE
        ? 'No profile is active; choose one with audit profile use NAME.'
        : `The active profile "${active}" is not saved; choose one with audit profile use NAME.`,
    );
  }
  if (env.AUDIT_TOKEN || env.AUDIT_TOKEN_FILE) {
    notes.push(
      `${env.AUDIT_TOKEN ? 'AUDIT_TOKEN' : 'AUDIT_TOKEN_FILE'} is set: its token is used, not the stored ones.`,
    );
  }
  return notes;
}
