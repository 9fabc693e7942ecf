import type { StorePort } from '../store/port.js';
import type { Subject } from './subject.js';
import type { TextMatcher } from './text-match.js';

/**
 * Erasure outside the events, inside the erasure's write: the subject's own accounts become the
 * pseudonym (and their tokens are revoked); every free-text column of the organization's
 * directory and webhook tables (organization and team names, token names, webhook descriptions,
 * delivery errors) has the subject's data replaced. Other people's accounts are never changed.
 * Answers how many accounts were erased.
 */
export async function eraseFromDirectory(
  gdpr: StorePort['gdpr'],
  orgId: number,
  subject: Subject,
  matcher: TextMatcher,
  pseudonym: string,
  now: number,
): Promise<number> {
  for (const account of subject.accounts) {
    let email = `${pseudonym}@erased.invalid`;
    // Two accounts erased under one pseudonym must still have distinct emails.
    for (let n = 2; await gdpr.emailTaken(orgId, email, account.id); n++) {
      email = `${pseudonym}-${n}@erased.invalid`;
    }
    await gdpr.eraseAccount(account.id, email, pseudonym, now);
  }
  for (const { column, id, value } of await gdpr.freeTexts(orgId)) {
    const erased = matcher.replace(value, pseudonym);
    if (erased !== value) await gdpr.rewriteFreeText(column, id, erased);
  }
  for (const team of await gdpr.teams(orgId)) {
    let name = matcher.replace(team.name, pseudonym);
    if (name === team.name) continue;
    // Team names are unique in an organization: an erased one that collides keeps its id beside it.
    const base = name;
    for (let n = 1; await gdpr.teamNameTaken(orgId, name, team.id); n++) {
      name = n === 1 ? `${base} (${team.publicId})` : `${base} (${team.publicId}-${n})`;
    }
    await gdpr.renameTeam(team.id, name);
  }
  return subject.accounts.length;
}
