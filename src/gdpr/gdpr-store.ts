import type { AuditEvent } from '../domain/event.js';
import { type Db, inMaintenanceWindow } from '../store/database.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  eventToRowValues,
  rowToStoredEvent,
  type StoredEvent,
} from '../store/event-rows.js';
import { serverSecret } from '../store/secret-box.js';
import { eraseFromEvent } from './erase-event.js';
import { identityHmacs, newPseudonym } from './pseudonym.js';
import { concernsSubject, learnFrom, type Subject, subjectFor } from './subject.js';

export interface ErasureReport {
  pseudonym: string;
  eventsMatched: number;
  eventsChanged: number;
  accountsChanged: number;
  dryRun: boolean;
}

// Identities chain (an email leads to an id, the id to a name); a few passes reach the fixpoint.
const MAX_DISCOVERY_PASSES = 4;

/** Finding a person's events, and erasing their personal data from them. */
export function createGdprStore(db: Db) {
  const orgEvents = db.prepare<[number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = ? ORDER BY seq`,
  );
  const secret = () => serverSecret(db, 'pseudonym_secret');
  const updateEvent = db.prepare(`UPDATE events SET description = @description, actor_name = @actor_name,
    actor_email = @actor_email, target_name = @target_name, ip_address = @ip_address, user_agent = @user_agent,
    changes = @changes, metadata = @metadata WHERE seq = @seq`);
  const accounts = db.prepare<[number], { id: number; public_id: string; email: string; name: string }>(
    'SELECT id, public_id, email, name FROM users WHERE org_id = ?',
  );
  const eraseAccount = db.prepare('UPDATE users SET email = @email, name = @name WHERE id = @id');
  const knownPseudonym = db
    .prepare<[string], string>('SELECT pseudonym FROM gdpr_pseudonyms WHERE identity_hmac = ?')
    .pluck();
  const rememberPseudonym = db.prepare(
    'INSERT OR IGNORE INTO gdpr_pseudonyms (identity_hmac, pseudonym) VALUES (?, ?)',
  );
  const revokeTokens = db.prepare(
    'UPDATE api_tokens SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL',
  );

  function* scan(orgId: number): Generator<StoredEvent> {
    for (const row of orgEvents.iterate(orgId)) yield rowToStoredEvent(row);
  }

  function resolve(orgId: number, user: string): Subject {
    const subject = subjectFor(user);
    // An account of the bundled server ties the id, email and name together too.
    for (const account of accounts.all(orgId)) {
      if (subject.emails.has(account.email.toLowerCase()) || subject.ids.has(account.public_id)) {
        subject.ids.add(account.public_id);
        subject.emails.add(account.email.toLowerCase());
        subject.names.add(account.name);
      }
    }
    for (let pass = 0; pass < MAX_DISCOVERY_PASSES; pass++) {
      let learned = false;
      for (const { event } of scan(orgId)) learned = learnFrom(event, subject) || learned;
      if (!learned) break;
    }
    return subject;
  }

  return {
    resolve,

    /** Every event where the person is actor or target or is named, oldest first. */
    eventsOf(orgId: number, subject: Subject): AuditEvent[] {
      const events: AuditEvent[] = [];
      for (const { event } of scan(orgId)) if (concernsSubject(event, subject)) events.push(event);
      return events;
    },

    erase(orgId: number, subject: Subject, options: { dryRun: boolean; now: number }): ErasureReport {
      const hmacs = identityHmacs(subject, secret());
      // The same person always gets the same pseudonym, however the request names them.
      const pseudonym =
        hmacs.map((hmac) => knownPseudonym.get(hmac)).find((known) => known !== undefined) ??
        newPseudonym(subject, secret());
      const work = () => {
        if (!options.dryRun) for (const hmac of hmacs) rememberPseudonym.run(hmac, pseudonym);
        let eventsMatched = 0;
        let eventsChanged = 0;
        for (const stored of [...scan(orgId)]) {
          if (!concernsSubject(stored.event, subject)) continue;
          eventsMatched++;
          const erased = eraseFromEvent(stored.event, subject, pseudonym);
          if (JSON.stringify(erased) === JSON.stringify(stored.event)) continue;
          eventsChanged++;
          if (!options.dryRun) updateEvent.run({ ...eventToRowValues(erased), seq: stored.seq });
        }
        let accountsChanged = 0;
        for (const account of accounts.all(orgId)) {
          if (!subject.emails.has(account.email.toLowerCase())) continue;
          accountsChanged++;
          if (options.dryRun) continue;
          eraseAccount.run({ id: account.id, email: `${pseudonym}@erased.invalid`, name: pseudonym });
          revokeTokens.run({ id: account.id, now: options.now });
        }
        return { pseudonym, eventsMatched, eventsChanged, accountsChanged, dryRun: options.dryRun };
      };
      if (options.dryRun) return work();
      const report = inMaintenanceWindow(db, work);
      compact(db);
      return report;
    },
  };
}

/**
 * Leaves no copy of erased values in the files: merge the full-text index (dropping deleted
 * entries), then checkpoint the WAL into the main file and truncate it. secure_delete (set at
 * open) has already zeroed the freed space.
 */
function compact(db: Db): void {
  db.exec("INSERT INTO events_fts (events_fts) VALUES ('optimize')");
  db.pragma('wal_checkpoint(TRUNCATE)');
}

export type GdprStore = ReturnType<typeof createGdprStore>;
