import type { AuditEvent } from '../../domain/event.js';
import { FIELD_COLUMNS } from '../event-columns.js';
import { eventToFieldValues, type StoredEvent } from '../event-rows.js';
import { changedColumns, type EventJson, type GdprAccount, gdprDirectorySql } from '../gdpr-rows.js';
import type { GdprStore } from '../gdpr-store.js';
import type { Async } from '../port.js';
import { createPgEventReads } from './event-reads.js';
import { EVENT_COLUMNS, escapeFieldValues, eventJson, pgValuesToStoredEvent } from './event-rows.js';
import { createPgGdprDirectory } from './gdpr-directory.js';
import { closeMaintenanceWindow, openMaintenanceWindow } from './maintenance.js';
import type { Queryable } from './pool.js';
import { markScrubPending, STATISTICS, scrubPending } from './scrub.js';
import { searchColumnsOf } from './search.js';
import { PSEUDONYM_SETTING, readPgSecret } from './server-keys.js';
import { unescapeText as sent } from './text-escape.js';

/** Every event of the organization, access events included. */
const EVERY_EVENT = { detailed: true } as const;
const WHOLE_ORGANIZATION = { kind: 'organization' } as const;
const ACCOUNTS_SQL = gdprDirectorySql((expression) => `ascii_fold(${expression})`).accounts;
const FIELD_INDEX = new Map<string, number>(FIELD_COLUMNS.map((column, index) => [column.name, index]));

export interface PgGdprOptions {
  /** The write transaction's client; undefined outside a write (the erasure's methods refuse). */
  writing: Queryable | undefined;
  /** The key the pseudonym secret is sealed with (store-port.ts secretsKeyOf). */
  secretsKey: () => Buffer;
}

/**
 * src/store/gdpr-store.ts on PostgreSQL, the same answers for the same calls. An erasure runs in
 * one write of the store port: openErasure lifts the append-only guard for that transaction and
 * names the organization whose positions rewriteEvent's `seq` are; every relation a rewrite
 * touched (an event's partition, the directory's tables, the counts and the Merkle salts that
 * follow by trigger) is marked for the scrub (scrub.ts) by markScrubPending.
 */
export function createPgGdpr(db: Queryable, options: PgGdprOptions): Async<GdprStore> {
  const reads = createPgEventReads(db);
  const touched = new Set<string>();
  let erasing: number | undefined;
  const writer = (method: string): Queryable => {
    if (!options.writing) throw new Error(`gdpr.${method} writes: call it inside Engine.write`);
    return options.writing;
  };

  return {
    ...createPgGdprDirectory(db, (relation) => touched.add(relation)),

    async eventsAfter(orgId: number, afterSeq: number, limit: number): Promise<StoredEvent[]> {
      return (await reads.page(orgId, EVERY_EVENT, WHOLE_ORGANIZATION, { afterSeq, limit })).events;
    },

    /** The organization's events at these positions (those still stored), as JSON.stringify gives them. */
    async eventJsonAt(orgId: number, seqs: readonly number[]): Promise<EventJson[]> {
      const { rows } = await db.query<unknown[]>({
        text: `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = $1 AND seq = ANY($2::bigint[]) ORDER BY seq`,
        values: [orgId, seqs],
        rowMode: 'array',
      });
      return rows.map((values) => {
        const { event } = pgValuesToStoredEvent(values);
        return { json: eventJson(event), category: event.category, ts: Date.parse(event.timestamp) };
      });
    },

    async accounts(orgId: number): Promise<GdprAccount[]> {
      const { rows } = await db.query<GdprAccount>(ACCOUNTS_SQL, [orgId]);
      return rows.map((row) => ({ ...row, email: sent(row.email), name: sent(row.name) }));
    },

    /** The key pseudonyms are made with, sealed in server_settings; the one place it is read. */
    pseudonymSecret: () => readPgSecret(db, options.secretsKey(), PSEUDONYM_SETTING),

    async pseudonymOf(hmacs: readonly string[]): Promise<string | undefined> {
      const { rows } = await db.query<{ identity_hmac: string; pseudonym: string }>(
        'SELECT identity_hmac, pseudonym FROM gdpr_pseudonyms WHERE identity_hmac = ANY($1::text[])',
        [hmacs],
      );
      const known = new Map(rows.map((row) => [row.identity_hmac, row.pseudonym]));
      return hmacs.map((hmac) => known.get(hmac)).find((found) => found !== undefined);
    },

    async rememberPseudonym(hmacs: readonly string[], pseudonym: string): Promise<void> {
      await writer('rememberPseudonym').query(
        `INSERT INTO gdpr_pseudonyms (identity_hmac, pseudonym) SELECT h, $2 FROM unnest($1::text[]) AS h
         ON CONFLICT (identity_hmac) DO NOTHING`,
        [hmacs, pseudonym],
      );
    },

    async openErasure(orgId: number): Promise<void> {
      await openMaintenanceWindow(writer('openErasure'), orgId);
      erasing = orgId;
    },

    async closeErasure(): Promise<void> {
      await closeMaintenanceWindow(writer('closeErasure'));
      erasing = undefined;
    },

    /**
     * Sets the organization's event at `seq` to `after`, writing only the columns that differ
     * from `before`, and its search columns when the text they are made of changed (they are
     * made in JS at ingest, search.ts, so nothing in the database follows by itself).
     */
    async rewriteEvent(seq: number, before: AuditEvent, after: AuditEvent): Promise<void> {
      if (erasing === undefined) throw new Error('gdpr.rewriteEvent: call openErasure first');
      const changed = changedColumns(before, after);
      if (changed.length === 0) return;
      const stored = escapeFieldValues(eventToFieldValues(after));
      const assignments: [string, unknown][] = changed.map(({ name }) => [
        name,
        stored[FIELD_INDEX.get(name) as number],
      ]);
      const search = searchColumnsOf(eventToFieldValues(after));
      const previous = searchColumnsOf(eventToFieldValues(before));
      if (search.search !== previous.search || search.searchText !== previous.searchText) {
        assignments.push(['search', search.search], ['search_text', search.searchText]);
      }
      const set = assignments.map(([name], index) => `${name} = $${index + 4}`).join(', ');
      const { rows } = await writer('rewriteEvent').query<{ relation: string }>(
        `UPDATE events SET ${set} WHERE org_id = $1 AND ts = $2 AND seq = $3 RETURNING tableoid::regclass::text AS relation`,
        [erasing, Date.parse(before.timestamp), seq, ...assignments.map(([, value]) => value)],
      );
      for (const row of rows) touched.add(row.relation);
      // Triggers follow the rewrite: the leaf's salt goes, the counts move with action or category.
      touched.add('merkle_leaves');
      if (changed.some(({ name }) => name === 'action' || name === 'category')) touched.add('event_counts');
    },

    /** Inside the erasure's transaction: the files are not clean until Engine.scrub succeeds. */
    async markScrubPending(): Promise<void> {
      await markScrubPending(writer('markScrubPending'), [...touched, STATISTICS]);
      touched.clear();
    },

    scrubPending: () => scrubPending(db),
  };
}
