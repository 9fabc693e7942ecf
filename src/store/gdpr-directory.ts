import type { Db } from './database.js';

/** The free-text columns of an organization's directory and webhook tables an erasure rewrites. */
export const FREE_TEXT_COLUMNS = [
  'organization name',
  'token name',
  'webhook description',
  'delivery error',
] as const;
export type FreeTextColumn = (typeof FREE_TEXT_COLUMNS)[number];

/** One value of a free-text column, and which row it is. */
export interface FreeText {
  column: FreeTextColumn;
  id: number;
  value: string;
}

/** A team of the organization, as an erasure may rename it. */
export interface GdprTeam {
  id: number;
  publicId: string;
  name: string;
}

/**
 * Erasure outside the events, the SQL of it: the subject's accounts and their tokens, every
 * free-text column of the organization (organization and team names, token names, webhook
 * descriptions, delivery errors). What to write is decided by src/gdpr/directory-erasure.ts.
 */
export function createGdprDirectory(db: Db) {
  const emailTaken = db
    .prepare<[number, string, number], number>(
      'SELECT 1 FROM users WHERE org_id = ? AND email = ? AND id <> ?',
    )
    .pluck();
  const eraseAccount = db.prepare('UPDATE users SET email = @email, name = @name WHERE id = @id');
  const revokeTokens = db.prepare(
    'UPDATE api_tokens SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL',
  );
  const teamTaken = db
    .prepare<[number, string, number], number>(
      'SELECT 1 FROM teams WHERE org_id = ? AND name = ? AND id <> ?',
    )
    .pluck();
  const columns: Record<FreeTextColumn, ReturnType<typeof text>> = {
    'organization name': text(
      'SELECT id, name AS value FROM organizations WHERE id = ?',
      'UPDATE organizations SET name = ? WHERE id = ?',
    ),
    'token name': text(
      'SELECT k.id, k.name AS value FROM api_tokens k JOIN users u ON u.id = k.user_id WHERE u.org_id = ? AND k.name IS NOT NULL',
      'UPDATE api_tokens SET name = ? WHERE id = ?',
    ),
    'webhook description': text(
      'SELECT id, description AS value FROM webhooks WHERE org_id = ? AND description IS NOT NULL',
      'UPDATE webhooks SET description = ? WHERE id = ?',
    ),
    'delivery error': text(
      `SELECT d.id, d.last_error AS value FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE w.org_id = ? AND d.last_error IS NOT NULL`,
      'UPDATE webhook_deliveries SET last_error = ? WHERE id = ?',
    ),
  };
  const teams = db.prepare<[number], GdprTeam>(
    'SELECT id, public_id AS publicId, name FROM teams WHERE org_id = ?',
  );
  const renameTeam = db.prepare('UPDATE teams SET name = ? WHERE id = ?');

  function text(select: string, update: string) {
    return {
      rows: db.prepare<[number], { id: number; value: string }>(select),
      write: db.prepare<[string, number]>(update),
    };
  }

  return {
    /** Whether another account of the organization has this email. */
    emailTaken: (orgId: number, email: string, exceptUserId: number): boolean =>
      emailTaken.get(orgId, email, exceptUserId) !== undefined,

    /** Renames an account and revokes its tokens. */
    eraseAccount(userId: number, email: string, name: string, now: number): void {
      eraseAccount.run({ id: userId, email, name });
      revokeTokens.run({ id: userId, now });
    },

    /** Every value of the organization's free-text columns, column by column. */
    freeTexts: (orgId: number): FreeText[] =>
      FREE_TEXT_COLUMNS.flatMap((column) =>
        columns[column].rows.all(orgId).map((row) => ({ column, ...row })),
      ),

    rewriteFreeText(column: FreeTextColumn, id: number, value: string): void {
      columns[column].write.run(value, id);
    },

    teams: (orgId: number): GdprTeam[] => teams.all(orgId),

    /** Whether another team of the organization has this name. */
    teamNameTaken: (orgId: number, name: string, exceptTeamId: number): boolean =>
      teamTaken.get(orgId, name, exceptTeamId) !== undefined,

    renameTeam(teamId: number, name: string): void {
      renameTeam.run(name, teamId);
    },
  };
}
