import type { Db } from './database.js';
import {
  FREE_TEXT_COLUMNS,
  type FreeText,
  type FreeTextColumn,
  type GdprTeam,
  gdprDirectorySql,
  sqlitePlaceholders,
} from './gdpr-rows.js';

export { FREE_TEXT_COLUMNS, type FreeText, type FreeTextColumn, type GdprTeam };

// NOCASE columns compare folded by their collation.
const SQL = gdprDirectorySql((expression) => expression);

/**
 * Erasure outside the events, the SQL of it (gdpr-rows.ts, shared with PostgreSQL): the
 * subject's accounts and their tokens, every free-text column of the organization (organization
 * and team names, token names, webhook descriptions, delivery errors). What to write is decided
 * by src/gdpr/directory-erasure.ts.
 */
export function createGdprDirectory(db: Db) {
  const prepare = (sql: string) => db.prepare(sqlitePlaceholders(sql));
  const emailTaken = prepare(SQL.emailTaken).pluck();
  const eraseAccount = prepare(SQL.eraseAccount);
  const revokeTokens = prepare(SQL.revokeTokens);
  const teamTaken = prepare(SQL.teamTaken).pluck();
  const columns = Object.fromEntries(
    FREE_TEXT_COLUMNS.map((column) => [
      column,
      { rows: prepare(SQL.freeText[column].rows), write: prepare(SQL.freeText[column].write) },
    ]),
  ) as Record<FreeTextColumn, { rows: ReturnType<typeof prepare>; write: ReturnType<typeof prepare> }>;
  const teams = prepare(SQL.teams);
  const renameTeam = prepare(SQL.renameTeam);

  return {
    /** Whether another account of the organization has this email. */
    emailTaken: (orgId: number, email: string, exceptUserId: number): boolean =>
      emailTaken.get(orgId, email, exceptUserId) !== undefined,

    /** Renames an account and revokes its tokens. */
    eraseAccount(userId: number, email: string, name: string, now: number): void {
      eraseAccount.run(email, name, userId);
      revokeTokens.run(now, userId);
    },

    /** Every value of the organization's free-text columns, column by column. */
    freeTexts: (orgId: number): FreeText[] =>
      FREE_TEXT_COLUMNS.flatMap((column) =>
        (columns[column].rows.all(orgId) as { id: number; value: string }[]).map((row) => ({
          column,
          ...row,
        })),
      ),

    rewriteFreeText(column: FreeTextColumn, id: number, value: string): void {
      columns[column].write.run(value, id);
    },

    teams: (orgId: number): GdprTeam[] => teams.all(orgId) as GdprTeam[],

    /** Whether another team of the organization has this name. */
    teamNameTaken: (orgId: number, name: string, exceptTeamId: number): boolean =>
      teamTaken.get(orgId, name, exceptTeamId) !== undefined,

    renameTeam(teamId: number, name: string): void {
      renameTeam.run(name, teamId);
    },
  };
}
