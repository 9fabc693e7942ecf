import type { Statement } from 'better-sqlite3';
import type { AuditEvent } from '../domain/event.js';
import type { Db } from '../store/database.js';
import { FIELD_COLUMNS } from '../store/event-columns.js';
import { eventToFieldValues } from '../store/event-rows.js';
import { serverSecret } from '../store/secret-box.js';
import { inMaintenanceWindow } from '../store/transaction.js';
import { type Candidates, candidatesToJson } from './candidates.js';
import { createDirectoryErasure } from './directory-erasure.js';
import { concernsSubject, eraseFromEvent } from './erase-event.js';
import { createEventScan } from './event-scan.js';
import { identityHmacs, newPseudonym } from './pseudonym.js';
import { createSubjectResolver, type Resolution } from './resolve.js';
import { createScrubber } from './scrub.js';
import { accountNeedsErasure, type Subject, type SubjectRequest } from './subject.js';
import { subjectMatchers } from './text-match.js';

export interface ErasureReport {
  pseudonym: string;
  eventsMatched: number;
  eventsChanged: number;
  /** The sequence numbers of the events rewritten (none in a dry run). */
  changedSeqs: number[];
  /**
   * The `tree_positions` of earlier erasure records this erasure rewrote (their actor was this
   * person): its own record names them again, as a rewritten record's metadata proves nothing.
   */
  rewrittenErasurePositions: string[];
  accountsChanged: number;
  dryRun: boolean;
  subject: Subject;
  candidates: Candidates;
}

/** Finding a person's events, and erasing their personal data from the database. */
export function createGdprStore(db: Db) {
  const scan = createEventScan(db);
  const resolver = createSubjectResolver(db, scan);
  const directory = createDirectoryErasure(db);
  const scrubber = createScrubber(db);
  // The one place the pseudonym key is read.
  const secret = () => serverSecret(db, 'pseudonym_secret');
  // One statement per set of changed columns: setting a column rewrites every index that holds
  // it, even to the same value, so an erasure sets only what it changes.
  const updates = new Map<string, Statement>();
  const updateEvent = (seq: number, before: AuditEvent, after: AuditEvent) => {
    const old = eventToFieldValues(before);
    const row = eventToFieldValues(after);
    const changed = FIELD_COLUMNS.flatMap((column, index) =>
      row[index] !== old[index] ? [{ name: column.name, value: row[index] }] : [],
    );
    const key = changed.map((column) => column.name).join(',');
    let statement = updates.get(key);
    if (!statement) {
      const assignments = changed.map((column) => `${column.name} = @${column.name}`).join(', ');
      statement = db.prepare(`UPDATE events SET ${assignments} WHERE seq = @seq`);
      updates.set(key, statement);
    }
    statement.run({ ...Object.fromEntries(changed.map((column) => [column.name, column.value])), seq });
  };
  const knownPseudonym = db
    .prepare<[string], string>('SELECT pseudonym FROM gdpr_pseudonyms WHERE identity_hmac = ?')
    .pluck();
  const rememberPseudonym = db.prepare(
    'INSERT OR IGNORE INTO gdpr_pseudonyms (identity_hmac, pseudonym) VALUES (?, ?)',
  );

  /** The same person always gets the same pseudonym, however the request names them. */
  function pseudonymFor(subject: Subject): { pseudonym: string; hmacs: string[] } {
    const hmacs = identityHmacs(subject, secret());
    const known = hmacs.map((hmac) => knownPseudonym.get(hmac)).find((found) => found !== undefined);
    return { pseudonym: known ?? newPseudonym(subject, secret()), hmacs };
  }

  function report(resolution: Resolution, pseudonym: string, dryRun: boolean) {
    const { subject, candidates } = resolution;
    return {
      pseudonym,
      eventsMatched: 0,
      eventsChanged: 0,
      changedSeqs: [] as number[],
      rewrittenErasurePositions: [] as string[],
      accountsChanged: subject.accounts.filter((account) => accountNeedsErasure(account, pseudonym)).length,
      dryRun,
      subject,
      candidates,
    };
  }

  return {
    resolve: resolver.resolvePaged,

    /** Where the subject's events are: read a page at a time (the event loop turns between pages). */
    async positionsOf(orgId: number, subject: Subject): Promise<number[]> {
      const matchers = subjectMatchers(subject);
      const seqs: number[] = [];
      for await (const page of scan.pages(orgId)) {
        for (const { seq, event } of page) if (concernsSubject(event, subject, matchers)) seqs.push(seq);
      }
      return seqs;
    },

    /** The events at those positions as JSON text, a page at a time (see EventScan.jsonAt). */
    eventJsonAt: (seqs: readonly number[]) => scan.jsonAt(seqs),

    /** What an erasure would change, changing nothing; read a page at a time. */
    async preview(orgId: number, request: SubjectRequest): Promise<ErasureReport> {
      const resolution = await resolver.resolvePaged(orgId, request);
      const { subject } = resolution;
      const matchers = subjectMatchers(subject);
      const result = report(resolution, pseudonymFor(subject).pseudonym, true);
      for await (const page of scan.pages(orgId)) {
        for (const { event } of page) {
          if (!concernsSubject(event, subject, matchers)) continue;
          result.eventsMatched++;
          const erased = eraseFromEvent(event, subject, matchers, result.pseudonym);
          if (JSON.stringify(erased) !== JSON.stringify(event)) result.eventsChanged++;
        }
      }
      return result;
    },

    /**
     * Rewrites every row in one write transaction (resolving the subject inside it, so events
     * that arrive meanwhile are covered) and marks the files as needing a scrub. `audit` runs in
     * the same transaction, after the rewrite: the erasure and its record commit together.
     */
    erase(
      orgId: number,
      request: SubjectRequest,
      now: number,
      audit: (report: ErasureReport) => void = () => {},
    ): ErasureReport {
      return inMaintenanceWindow(db, () => {
        const resolution = resolver.resolve(orgId, request);
        const { subject } = resolution;
        const matchers = subjectMatchers(subject);
        const { pseudonym, hmacs } = pseudonymFor(subject);
        for (const hmac of hmacs) rememberPseudonym.run(hmac, pseudonym);
        const result = report(resolution, pseudonym, false);
        for (const stored of scan.all(orgId)) {
          if (!concernsSubject(stored.event, subject, matchers)) continue;
          result.eventsMatched++;
          const erased = eraseFromEvent(stored.event, subject, matchers, pseudonym);
          if (JSON.stringify(erased) === JSON.stringify(stored.event)) continue;
          result.eventsChanged++;
          result.changedSeqs.push(stored.seq);
          const positions =
            stored.event.action === 'gdpr.user_erased' && stored.event.metadata?.tree_positions;
          if (typeof positions === 'string') result.rewrittenErasurePositions.push(positions);
          updateEvent(stored.seq, stored.event, erased);
        }
        directory.erase(orgId, subject, matchers.text, pseudonym, now);
        scrubber.markPending();
        audit(result);
        return result;
      });
    },

    /** Leaves no old copy in the files; false when readers kept it from finishing within `waitMs`. */
    scrub: (waitMs: number) => scrubber.scrub(waitMs),
    scrubPending: () => scrubber.pending(),
  };
}

export function identifiersToJson(subject: Subject) {
  return {
    ids: [...subject.ids].sort(),
    emails: [...subject.emails].sort(),
    names: [...subject.names].sort(),
    ip_addresses: [...subject.ips].sort(),
    user_agents: [...subject.agents].sort(),
    accounts: subject.accounts.map((account) => account.publicId),
  };
}

export { candidatesToJson };
export type GdprStore = ReturnType<typeof createGdprStore>;
