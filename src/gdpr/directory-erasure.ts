import type { Db } from '../store/database.js';
import type { Subject } from './subject.js';
import type { TextMatcher } from './text-match.js';

/**
 * Erasure outside the events: the subject's own accounts become the pseudonym (and their
 * tokens are revoked); every free-text column of the organization's directory and webhook
 * tables (organization and team names, token names, webhook descriptions, delivery errors)
 * has the subject's data replaced. Other people's accounts are never changed.
 */
export function createDirectoryErasure(db: Db) {
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

  // Each: the rows of one organization's free-text column, and how to write one back.
  const columns = [
    text(
      'SELECT id, name AS value FROM organizations WHERE id = ?',
      'UPDATE organizations SET name = ? WHERE id = ?',
    ),
    text(
      'SELECT k.id, k.name AS value FROM api_tokens k JOIN users u ON u.id = k.user_id WHERE u.org_id = ? AND k.name IS NOT NULL',
      'UPDATE api_tokens SET name = ? WHERE id = ?',
    ),
    text(
      'SELECT id, description AS value FROM webhooks WHERE org_id = ? AND description IS NOT NULL',
      'UPDATE webhooks SET description = ? WHERE id = ?',
    ),
    text(
      `SELECT d.id, d.last_error AS value FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE w.org_id = ? AND d.last_error IS NOT NULL`,
      'UPDATE webhook_deliveries SET last_error = ? WHERE id = ?',
    ),
  ];
  const teams = db.prepare<[number], { id: number; public_id: string; value: string }>(
    'SELECT id, public_id, name AS value FROM teams WHERE org_id = ?',
  );
  const renameTeam = db.prepare('UPDATE teams SET name = ? WHERE id = ?');

  function text(select: string, update: string) {
    return {
      rows: db.prepare<[number], { id: number; value: string }>(select),
      write: db.prepare<[string, number]>(update),
    };
  }

  return {
    /** Rewrites the rows (inside the caller's transaction); answers how many accounts were erased. */
    erase(orgId: number, subject: Subject, matcher: TextMatcher, pseudonym: string, now: number): number {
      for (const account of subject.accounts) {
        let email = `${pseudonym}@erased.invalid`;
        // Two accounts erased under one pseudonym must still have distinct emails.
        for (let n = 2; emailTaken.get(orgId, email, account.id) !== undefined; n++) {
          email = `${pseudonym}-${n}@erased.invalid`;
        }
        eraseAccount.run({ id: account.id, email, name: pseudonym });
        revokeTokens.run({ id: account.id, now });
      }
      for (const { rows, write } of columns) {
        for (const row of rows.all(orgId)) {
          const erased = matcher.replace(row.value, pseudonym);
          if (erased !== row.value) write.run(erased, row.id);
        }
      }
      for (const team of teams.all(orgId)) {
        let name = matcher.replace(team.value, pseudonym);
        if (name === team.value) continue;
        // Team names are unique in an organization: an erased one that collides keeps its id beside it.
        const base = name;
        for (let n = 1; teamTaken.get(orgId, name, team.id) !== undefined; n++) {
          name = n === 1 ? `${base} (${team.public_id})` : `${base} (${team.public_id}-${n})`;
        }
        renameTeam.run(name, team.id);
      }
      return subject.accounts.length;
    },
  };
}
