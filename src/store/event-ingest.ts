import type { AuditEvent } from '../domain/event.js';
import { indexedFields } from '../domain/free-text.js';
import type { Db } from './database.js';
import type { LeavesOfInserted } from './event-leaves.js';
import type { EventReads } from './event-reads.js';
import {
  COUNT_NEW_EVENTS_SQL,
  eventToFieldValues,
  INDEX_TEXT_SQL,
  INSERT_EVENT_SQL,
  type StoredEvent,
} from './event-rows.js';
import type { MerkleStore } from './merkle-store.js';
import { inMaintenanceWindow, writeTransaction } from './transaction.js';
import { createOutboxWriter } from './webhook-outbox.js';

export interface IngestResult {
  /** In the order they were sent; a duplicate id yields the event already stored. */
  stored: StoredEvent[];
  /** Per event, in the same order: true when it was stored now, false for a duplicate id. */
  fresh: boolean[];
  created: number;
}

export type EventIngest = ReturnType<typeof createEventIngest>;

/** Every way events are written: a batch in, expired events out. */
export interface EventIngestOptions {
  /** false: ingest leaves event_counts alone. Bench baseline only (the stats API then miscounts). */
  eventCounts?: boolean | undefined;
  /**
   * The tree that ingest seals its new events into, in its own transaction (the server's, tree
   * on), and who hears of each organization whose tree grew. Without it, or while the tree lacks
   * events stored before the batch (another process's), the server's sealer seals them later.
   */
  tree?: IngestSealing | undefined;
}

/**
 * What ingest seals with: the tree, who hears it grew, and how leaves are made (handed in, so
 * that an admin command, which never seals, does not load the hashing).
 */
export interface IngestSealing {
  merkle: Pick<MerkleStore, 'sealedSeq' | 'append'>;
  grown(orgId: number): void;
  leaves: LeavesOfInserted;
}

export function createEventIngest(
  db: Db,
  reads: Pick<EventReads, 'findById' | 'findBySeq' | 'maxSeq'>,
  options: EventIngestOptions = {},
) {
  const insert = db.prepare(INSERT_EVENT_SQL);
  // The full-text rows of a batch's new events, after the events themselves: interleaved with
  // the events' inserts they cost about three times as much.
  const indexText = db.prepare(INDEX_TEXT_SQL);
  // Their counts by hour, category and action, likewise in one statement (see migration 3).
  const countNew = options.eventCounts === false ? undefined : db.prepare<[number]>(COUNT_NEW_EVENTS_SQL);
  const queueWebhookDeliveries = createOutboxWriter(db);
  const deleteBefore = db.prepare('DELETE FROM events WHERE org_id = ? AND ts < ?');
  const tree = options.tree;
  // In a savepoint of the ingest's transaction: a tree that cannot take the leaves (a damaged
  // file, a fault in making them) must not cost the batch. Its events are stored all the same,
  // the tree is left as it was, and the sealer seals them after, reporting what fails there.
  const sealInSavepoint =
    tree &&
    db.transaction((inserted: readonly StoredEvent[]) => {
      tree.merkle.append(tree.leaves(inserted, reads.findBySeq));
    });

  return {
    ingest(orgId: number, events: readonly AuditEvent[], receivedAt: number): IngestResult {
      return writeTransaction(db, () => {
        // Positions follow the storing order: sealed here only right after the last leaf.
        const sealHere = tree !== undefined && tree.merkle.sealedSeq() >= reads.maxSeq();
        let created = 0;
        let firstSeq: number | undefined;
        const fresh: boolean[] = [];
        const stored = events.map((event) => {
          const result = insert.run(orgId, receivedAt, ...eventToFieldValues(event));
          fresh.push(result.changes === 1);
          if (result.changes === 1) {
            created++;
            const seq = Number(result.lastInsertRowid);
            firstSeq ??= seq;
            return { seq, orgId, receivedAt, event };
          }
          return reads.findById(orgId, event.id) as StoredEvent;
        });
        if (firstSeq !== undefined) {
          stored.forEach(({ seq, event }, i) => {
            if (fresh[i]) indexText.run(seq, ...indexedFields(event));
          });
          countNew?.run(firstSeq);
          queueWebhookDeliveries(orgId, firstSeq);
          if (sealHere && sealInSavepoint) {
            try {
              sealInSavepoint(stored.filter((_, i) => fresh[i]));
              tree.grown(orgId);
            } catch {
              // Left to the sealer (above).
            }
          }
        }
        return { stored, fresh, created };
      });
    },

    /**
     * Retention: removes the organization's events older than `cutoff`; returns how many.
     * `audit` is told the count of a purge that removed any, in the same transaction: the purge
     * and its record commit together or not at all.
     */
    purgeBefore(orgId: number, cutoff: number, audit: (purged: number) => void = () => {}): number {
      return inMaintenanceWindow(db, () => {
        const purged = deleteBefore.run(orgId, cutoff).changes;
        if (purged > 0) audit(purged);
        return purged;
      });
    },
  };
}
