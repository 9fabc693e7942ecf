import type { Db } from './database.js';

/** A checkpoint the server signed of an organization's tree, as stored (merkle_checkpoints). */
export interface StoredCheckpoint {
  treeSize: number;
  root: Buffer;
  signedAt: number;
  /** The signed note, verbatim. */
  note: string;
}

const CHECKPOINT_COLUMNS = 'tree_size AS treeSize, root, signed_at AS signedAt, note';

/** Every checkpoint signed, kept: the latest answers `audit verify`, any size an export's proof. */
export function createCheckpointStore(db: Db) {
  const insertCheckpoint = db.prepare(
    'INSERT INTO merkle_checkpoints (org_id, tree_size, root, signed_at, note) VALUES (?, ?, ?, ?, ?)',
  );
  const selectLatestCheckpoint = db.prepare<[number], StoredCheckpoint>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM merkle_checkpoints WHERE org_id = ? ORDER BY tree_size DESC LIMIT 1`,
  );
  const selectCheckpointOfSize = db.prepare<[number, number], StoredCheckpoint>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM merkle_checkpoints WHERE org_id = ? AND tree_size = ?`,
  );
  return {
    addCheckpoint(orgId: number, checkpoint: StoredCheckpoint): void {
      insertCheckpoint.run(orgId, checkpoint.treeSize, checkpoint.root, checkpoint.signedAt, checkpoint.note);
    },

    latestCheckpoint(orgId: number): StoredCheckpoint | undefined {
      return selectLatestCheckpoint.get(orgId);
    },

    /** The checkpoint signed for exactly `treeSize` leaves, if there is one. */
    checkpointOfSize(orgId: number, treeSize: number): StoredCheckpoint | undefined {
      return selectCheckpointOfSize.get(orgId, treeSize);
    },
  };
}
