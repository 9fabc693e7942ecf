import {
  FREE_TEXT_COLUMNS,
  type FreeText,
  type FreeTextColumn,
  type GdprTeam,
  gdprDirectorySql,
} from '../gdpr-rows.js';
import type { Queryable } from './pool.js';
import { unescapeText as sent, escapeText as stored } from './text-escape.js';

const SQL = gdprDirectorySql((expression) => `ascii_fold(${expression})`);

/** The tables a free-text column lives in: what a scrub rewrites after the column changed. */
const TABLE_OF: Record<FreeTextColumn, string> = {
  'organization name': 'organizations',
  'token name': 'api_tokens',
  'webhook description': 'webhooks',
  'delivery error': 'webhook_deliveries',
};

/**
 * src/store/gdpr-directory.ts on PostgreSQL, with the same SQL (gdpr-rows.ts): NOCASE columns
 * compared by ascii_fold, text escaped as the directory stores it (text-escape.ts). Each table
 * it rewrites is told to `touched`, which the erasure marks for the scrub.
 */
export function createPgGdprDirectory(db: Queryable, touched: (relation: string) => void) {
  const exists = async (sql: string, params: unknown[]) => ((await db.query(sql, params)).rowCount ?? 0) > 0;
  return {
    emailTaken: (orgId: number, email: string, exceptUserId: number): Promise<boolean> =>
      exists(SQL.emailTaken, [orgId, stored(email), exceptUserId]),

    async eraseAccount(userId: number, email: string, name: string, now: number): Promise<void> {
      await db.query(SQL.eraseAccount, [stored(email), stored(name), userId]);
      await db.query(SQL.revokeTokens, [now, userId]);
      touched('users');
      touched('api_tokens');
    },

    async freeTexts(orgId: number): Promise<FreeText[]> {
      const texts: FreeText[] = [];
      for (const column of FREE_TEXT_COLUMNS) {
        const { rows } = await db.query<{ id: number; value: string }>(SQL.freeText[column].rows, [orgId]);
        for (const row of rows) texts.push({ column, id: row.id, value: sent(row.value) });
      }
      return texts;
    },

    async rewriteFreeText(column: FreeTextColumn, id: number, value: string): Promise<void> {
      await db.query(SQL.freeText[column].write, [stored(value), id]);
      touched(TABLE_OF[column]);
    },

    async teams(orgId: number): Promise<GdprTeam[]> {
      const { rows } = await db.query<GdprTeam>(SQL.teams, [orgId]);
      return rows.map((row) => ({ ...row, name: sent(row.name) }));
    },

    teamNameTaken: (orgId: number, name: string, exceptTeamId: number): Promise<boolean> =>
      exists(SQL.teamTaken, [orgId, stored(name), exceptTeamId]),

    async renameTeam(teamId: number, name: string): Promise<void> {
      await db.query(SQL.renameTeam, [stored(name), teamId]);
      touched('teams');
    },
  };
}
