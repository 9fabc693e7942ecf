import { resolve } from 'node:path';
import { Option } from 'commander';
import { defaultDatabaseFile } from '../../config/paths.js';
import type { Admin } from '../../server/admin.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';

export function dbOption(): Option {
  return new Option(
    '--db <file>',
    'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)',
  );
}

export function orgOption(): Option {
  return new Option('--org <slug>', 'organization in the database').default('default');
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
  dbFlag: string | undefined,
  work: (admin: Admin) => T,
) {
  const [{ openDatabase }, { createStores }, { createAdmin, AdminError }] = await Promise.all([
    import('../../store/database.js'),
    import('../../server/services.js'),
    import('../../server/admin.js'),
  ]);
  const db = openDatabase(databaseFile(context, dbFlag));
  try {
    return work(createAdmin(createStores(db)));
  } catch (error) {
    if (error instanceof AdminError) throw new UsageError(error.message);
    throw error;
  } finally {
    db.close();
  }
}
