import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { defaultDatabaseFile } from '../../config/paths.js';
import type { Admin } from '../../server/admin.js';
import type { CliContext } from '../context.js';
import { ApiError, UsageError } from '../errors.js';

export function dbOption(): Option {
  return new Option(
    '--db <file>',
    'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)',
  );
}

export function databaseFile(context: CliContext, flag: string | undefined): string {
  return resolve(flag ?? context.env.AUDIT_DB ?? defaultDatabaseFile(context.env));
}

/**
 * Opens the database for one admin operation and closes it after. The server may be running
 * on the same file: SQLite's WAL lets both work, and the server sees the change at once.
 */
export async function withAdmin<T>(
  context: CliContext,
  command: Command,
  work: (admin: Admin, org: string) => T,
) {
  // The global --org names the organization inside this database file.
  const { db: dbFlag, org } = command.optsWithGlobals() as { db?: string; org?: string };
  const [{ openDatabase }, { createStores }, { createAdmin, AdminError }] = await Promise.all([
    import('../../store/database.js'),
    import('../../server/services.js'),
    import('../../server/admin.js'),
  ]);
  const db = openAdminDatabase(openDatabase, databaseFile(context, dbFlag));
  try {
    return work(createAdmin(createStores(db)), org ?? context.env.AUDIT_ORG ?? 'default');
  } catch (error) {
    if (error instanceof AdminError) throw new UsageError(error.message);
    throw error;
  } finally {
    db.close();
  }
}

/** The database, or a one-line error when its secrets key is missing, loose or not its own, or its schema is not this version's. */
function openAdminDatabase<T>(open: (file: string) => T, file: string): T {
  try {
    return open(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_SECRETS_KEY' || code === 'ERR_SCHEMA_MISMATCH')
      throw new ApiError((error as Error).message);
    throw error;
  }
}
