import type { Statement } from 'better-sqlite3';
import type { AuditEvent } from '../domain/event.js';
import type { Db } from './database.js';
import { createEventReads } from './event-reads.js';
import { EVENT_JSON, type StoredEvent } from './event-rows.js';
import { createGdprDirectory } from './gdpr-directory.js';
import {
  changedColumns,
  type EventJson,
  type GdprAccount,
  gdprDirectorySql,
  sqlitePlaceholders,
} from './gdpr-rows.js';
import { serverSecret } from './secret-box.js';
import { createScrubber } from './sqlite-scrub.js';
import { closeMaintenanceWindow, openMaintenanceWindow } from './transaction.js';

export type { EventJson, GdprAccount };

/** Every event of the organization, access events included. */
const EVERY_EVENT = { detailed: true } as const;
const WHOLE_ORGANIZATION = { kind: 'organization' } as const;

export type GdprStore = ReturnType<typeof createGdprStore>;

/**
 * What the GDPR flows (src/gdpr) read and write: the organization's events a page at a time,
 * its accounts and free-text columns, the pseudonyms given so far, and the rewrite of erased
 * rows. The writes run inside the erasure's `Engine.write`, between openErasure and closeErasure.
 */
export function createGdprStore(db: Db) {
  const reads = createEventReads(db);
  const scrubber = createScrubber(db);
  const jsonRowsAt = db
    .prepare<[number, string], [string, string, number]>(
      `SELECT ${EVENT_JSON}, category, ts FROM events
       WHERE org_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
    )
    .raw(true);
  const accounts = db.prepare<[number], GdprAccount>(
    sqlitePlaceholders(gdprDirectorySql((expression) => expression).accounts),
  );
  const knownPseudonym = db
    .prepare<[string], string>('SELECT pseudonym FROM gdpr_pseudonyms WHERE identity_hmac = ?')
    .pluck();
  const rememberPseudonym = db.prepare(
    'INSERT OR IGNORE INTO gdpr_pseudonyms (identity_hmac, pseudonym) VALUES (?, ?)',
  );
  // One statement per set of changed columns (changedColumns: only what the erasure changes).
  const updates = new Map<string, Statement>();

  return {
    ...createGdprDirectory(db),

    /** The organization's events after a position, oldest first: one page of a scan. */
    eventsAfter: (orgId: number, afterSeq: number, limit: number): StoredEvent[] =>
      reads.page(orgId, EVERY_EVENT, WHOLE_ORGANIZATION, { afterSeq, limit }).events,

    /**
     * The organization's events at these positions (those still stored) as JSON SQLite made:
     * the same text JSON.stringify gives of the event (test/unit/event-json.test.ts), without an
     * object per event in between. The organization is named because PostgreSQL's positions are
     * its own; here it only narrows the read.
     */
    eventJsonAt: (orgId: number, seqs: readonly number[]): EventJson[] =>
      jsonRowsAt.all(orgId, JSON.stringify(seqs)).map(([json, category, ts]) => ({ json, category, ts })),

    accounts: (orgId: number): GdprAccount[] => accounts.all(orgId),

    /** The key pseudonyms are made with; the one place it is read. */
    pseudonymSecret: (): string => serverSecret(db, 'pseudonym_secret'),

    /** The pseudonym given before to any of these identities, if one was. */
    pseudonymOf: (hmacs: readonly string[]): string | undefined =>
      hmacs.map((hmac) => knownPseudonym.get(hmac)).find((found) => found !== undefined),

    rememberPseudonym(hmacs: readonly string[], pseudonym: string): void {
      for (const hmac of hmacs) rememberPseudonym.run(hmac, pseudonym);
    },

    /**
     * Lets this write transaction rewrite the organization's events (the append-only guard lifted
     * until closeErasure): the organization is named for engines that note rewrites per
     * organization (PostgreSQL's Merkle epoch); SQLite's guard and its note are one for all.
     */
    openErasure: (_orgId: number): void => openMaintenanceWindow(db),
    closeErasure: (): void => closeMaintenanceWindow(db),

    /** Sets the event at `seq` to `after`, writing only the columns that differ from `before`. */
    rewriteEvent(seq: number, before: AuditEvent, after: AuditEvent): void {
      const changed = changedColumns(before, after);
      const key = changed.map((column) => column.name).join(',');
      let statement = updates.get(key);
      if (!statement) {
        const assignments = changed.map((column) => `${column.name} = @${column.name}`).join(', ');
        statement = db.prepare(`UPDATE events SET ${assignments} WHERE seq = @seq`);
        updates.set(key, statement);
      }
      statement.run({ ...Object.fromEntries(changed.map((column) => [column.name, column.value])), seq });
    },

    /** Inside the erasure's transaction: the files are not clean until Engine.scrub succeeds. */
    markScrubPending: (): void => scrubber.markPending(),
    scrubPending: (): boolean => scrubber.pending(),
  };
}
