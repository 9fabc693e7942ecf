import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { dataDir, defaultDatabaseFile } from '../../config/paths.js';
import type { Admin } from '../../server/admin.js';
import type { DatabaseLocation } from '../../store/database-location.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { ApiError, UsageError } from '../errors.js';

export function dbOption(): Option {
  return new Option(
    '--db <file>',
    'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)',
  );
}

export function databaseUrlOption(): Option {
  return new Option(
    '--database <url>',
    'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)',
  );
}

export function secretsKeyFileOption(): Option {
  return new Option(
    '--secrets-key-file <file>',
    'PostgreSQL: the key file every instance is given (env AUDIT_SECRETS_KEY_FILE; default: postgres.key in the data directory)',
  );
}

/** PostgreSQL's secrets key file: the flag, else AUDIT_SECRETS_KEY_FILE, else the data directory's. */
export function secretsKeyFile(context: CliContext, flag: string | undefined): string {
  return resolve(flag ?? (context.env.AUDIT_SECRETS_KEY_FILE || join(dataDir(context.env), 'postgres.key')));
}

export function sqliteHasNoSecretsKeyFile(): UsageError {
  return new UsageError(
    '--secrets-key-file is for PostgreSQL; SQLite keeps its key beside the database file',
  );
}

/** An admin operation's refusals and database failures as one-line CLI errors. */
export async function adminDatabaseErrors<T>(work: () => Promise<T>): Promise<T> {
  const { AdminError, AdminDatabaseError } = await import('../../server/admin.js');
  try {
    return await work();
  } catch (error) {
    if (error instanceof AdminError) throw new UsageError(error.message, { cause: error });
    if (error instanceof AdminDatabaseError) throw new ApiError(error.message, undefined, { cause: error });
    throw error;
  }
}

export interface DatabaseFlags {
  db?: string | undefined;
  database?: string | undefined;
}

/**
 * The database the flags, then the environment, name: `--db`/AUDIT_DB a SQLite file,
 * `--database`/AUDIT_DATABASE_URL a PostgreSQL URL, a flag before any variable. Naming both
 * kinds at one level is refused rather than guessed: a server writing evidence to the other
 * database than the operator meant is worse than one that does not start.
 */
export async function databaseLocation(context: CliContext, flags: DatabaseFlags): Promise<DatabaseLocation> {
  // Loaded when a server command runs, not at start-up (the --help module budget).
  const locations = await import('../../store/database-location.js');
  const { DatabaseUrlError, postgresLocation, urlHasPassword } = locations;
  const postgresUrl = (url: string, source: string): DatabaseLocation => {
    try {
      return postgresLocation(url);
    } catch (error) {
      if (error instanceof DatabaseUrlError)
        throw new UsageError(`${source}: ${error.message}`, { cause: error });
      throw error;
    }
  };
  if (flags.db !== undefined && flags.database !== undefined)
    throw new UsageError('give --db (a SQLite file) or --database (a PostgreSQL URL), not both');
  if (flags.database !== undefined) {
    if (urlHasPassword(flags.database))
      writeLine(
        context.stderr,
        'warning: the password in --database can be read by other users of this machine in its process list; ' +
          'put the URL in AUDIT_DATABASE_URL or the password in ~/.pgpass',
      );
    return postgresUrl(flags.database, '--database');
  }
  if (flags.db !== undefined) return { kind: 'sqlite', file: resolve(flags.db) };
  const fromEnv = context.env.AUDIT_DATABASE_URL || undefined;
  if (fromEnv !== undefined && context.env.AUDIT_DB)
    throw new UsageError(
      'AUDIT_DB (a SQLite file) and AUDIT_DATABASE_URL (a PostgreSQL URL) are both set: unset one, or give --db or --database',
    );
  if (fromEnv !== undefined) return postgresUrl(fromEnv, 'AUDIT_DATABASE_URL');
  return { kind: 'sqlite', file: databaseFile(context, undefined) };
}

export function databaseFile(context: CliContext, flag: string | undefined): string {
  return resolve(flag ?? context.env.AUDIT_DB ?? defaultDatabaseFile(context.env));
}

/**
 * Runs one admin operation through the server's withAdmin, on the database the flags name and
 * the organization the global --org names inside it; its refusals become one-line CLI errors.
 */
export async function adminAction<T>(
  context: CliContext,
  command: Command,
  work: (admin: Admin, org: string) => T | Promise<T>,
): Promise<T> {
  const { org, ...flags } = command.optsWithGlobals() as DatabaseFlags & { org?: string };
  const location = await databaseLocation(context, flags);
  // Loaded here, not at start-up: it brings better-sqlite3, which no other command needs.
  const { withAdmin } = await import('../../server/admin.js');
  return adminDatabaseErrors(() =>
    withAdmin(location, (admin) => work(admin, org ?? context.env.AUDIT_ORG ?? 'default')),
  );
}
