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
 * Runs one admin operation through the server's withAdmin, on the database the flags name and
 * the organization the global --org names inside it; its refusals become one-line CLI errors.
 */
export async function adminAction<T>(
  context: CliContext,
  command: Command,
  work: (admin: Admin, org: string) => T | Promise<T>,
): Promise<T> {
  const { db: dbFlag, org } = command.optsWithGlobals() as { db?: string; org?: string };
  // Loaded here, not at start-up: it brings better-sqlite3, which no other command needs.
  const { withAdmin, AdminError, AdminDatabaseError } = await import('../../server/admin.js');
  try {
    return await withAdmin(databaseFile(context, dbFlag), (admin) =>
      work(admin, org ?? context.env.AUDIT_ORG ?? 'default'),
    );
  } catch (error) {
    if (error instanceof AdminError) throw new UsageError(error.message);
    if (error instanceof AdminDatabaseError) throw new ApiError(error.message);
    throw error;
  }
}
