/** A problem with the settings (config file, profile, environment) that the user must fix: exit 2. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
