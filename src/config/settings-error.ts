/** A problem with the settings (config file, profile, environment) that the user must fix: exit 2. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** The config directory or file at `path` could not be written: what happened and the two ways out. */
export function cannotSaveProfiles(path: string, error: unknown): SettingsError {
  return new SettingsError(
    `cannot save profiles in ${path}: ${fileFailure(error)}; fix its permissions, or set AUDIT_CONFIG_DIR to a directory of yours`,
    { cause: error },
  );
}

/** Why a file could not be read or written, in words; the code itself when it is a rarer one. */
export function fileFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && FILE_FAILURES[code]) ?? code ?? String(error);
}

const FILE_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};
