-- The tamper-evident tree of each organization's log (RFC 9162 Merkle tree, C2SP checkpoints).
-- Written by the server's sealer after events commit; never by ingest (src/server/tree-sealer.ts).

-- One leaf per event, in the order events were stored (events.seq): positions 0, 1, 2 … per
-- organization. The leaf's bytes are canonical JSON of {v, id, timestamp, category, commitment}
-- (src/domain/merkle/leaf.ts); the commitment is HMAC-SHA-256 under `salt` over the event's
-- fields. No personal data here: erasure and the retention purge delete the salt (triggers
-- below, zeroed on disk by secure_delete) and keep the rest, so every root and proof stays valid.
CREATE TABLE merkle_leaves (
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  position INTEGER NOT NULL,
  -- No foreign key: the purge deletes the event and keeps its leaf.
  event_seq INTEGER NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  category TEXT NOT NULL,
  commitment BLOB NOT NULL,
  salt BLOB,
  hash BLOB NOT NULL,
  PRIMARY KEY (org_id, position)
) WITHOUT ROWID;

-- The hash of every completed perfect subtree above the leaves: 2^level leaves from position
-- idx * 2^level. Any root or proof needs O(log n) of them (src/domain/merkle/subtrees.ts).
CREATE TABLE merkle_nodes (
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  level INTEGER NOT NULL CHECK (level >= 1),
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (org_id, level, idx)
) WITHOUT ROWID;

-- Every checkpoint the server signed: the C2SP signed note, verbatim, and what it says.
CREATE TABLE merkle_checkpoints (
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  tree_size INTEGER NOT NULL,
  root BLOB NOT NULL,
  signed_at INTEGER NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (org_id, tree_size)
) WITHOUT ROWID;

-- Erasure rewrote the event, or the purge removed it: its salt goes, the leaf stays.
CREATE TRIGGER merkle_salt_on_event_update AFTER UPDATE ON events BEGIN
  UPDATE merkle_leaves SET salt = NULL WHERE event_seq = old.seq AND salt IS NOT NULL;
END;
CREATE TRIGGER merkle_salt_on_event_delete AFTER DELETE ON events BEGIN
  UPDATE merkle_leaves SET salt = NULL WHERE event_seq = old.seq AND salt IS NOT NULL;
END;

-- Append-only, like the events: only a leaf's salt may go (set to NULL, never to a value).
CREATE TRIGGER merkle_leaves_no_update BEFORE UPDATE ON merkle_leaves
WHEN new.salt IS NOT NULL OR new.org_id IS NOT old.org_id OR new.position IS NOT old.position
  OR new.event_seq IS NOT old.event_seq OR new.event_id IS NOT old.event_id
  OR new.timestamp IS NOT old.timestamp OR new.category IS NOT old.category
  OR new.commitment IS NOT old.commitment OR new.hash IS NOT old.hash
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
CREATE TRIGGER merkle_leaves_no_delete BEFORE DELETE ON merkle_leaves
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
CREATE TRIGGER merkle_checkpoints_no_update BEFORE UPDATE ON merkle_checkpoints
BEGIN SELECT RAISE(ABORT, 'signed checkpoints are append-only'); END;
CREATE TRIGGER merkle_checkpoints_no_delete BEFORE DELETE ON merkle_checkpoints
BEGIN SELECT RAISE(ABORT, 'signed checkpoints are append-only'); END;
