import type { StoredEvent } from './event-rows.js';
import type { SealingState } from './port.js';
import type { Stores } from './stores.js';
import { maintenanceWindowsOpened } from './transaction.js';

export type SealingReads = ReturnType<typeof createSealingReads>;

/**
 * What the tree sealer reads (port.ts SealingPort), on SQLite: one sequence for every organization, sealed in its
 * order, so the next events to seal are those after the highest sealed position.
 */
export function createSealingReads({ db, events, merkle }: Stores) {
  return {
    /** The next events to add to their organization's tree, in the order they are added. */
    unsealed: (limit: number): StoredEvent[] => events.readFrom(merkle.sealedSeq(), limit),

    /** How many stored events no tree holds yet. */
    behind: (): number => Math.max(0, events.maxSeq() - merkle.sealedSeq()),

    /**
     * An erasure or purge of this connection (its maintenance windows) or a commit of another
     * connection (data_version) changes `version`; sealing changes `afterSeq`.
     */
    state: (): SealingState => ({
      afterSeq: merkle.sealedSeq(),
      version: `${maintenanceWindowsOpened(db)}/${db.pragma('data_version', { simple: true })}`,
    }),

    /** Nothing to take: a write transaction is the only one on the file while it lasts. */
    holdTree: (_orgId: number): void => {},
  };
}
