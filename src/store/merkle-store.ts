import type { Statement } from 'better-sqlite3';
import { nodeHash } from '../domain/merkle/hashes.js';
import type { PerfectSubtrees } from '../domain/merkle/subtrees.js';
import { MAX_LEAVES_PER_READ } from '../domain/request-limits.js';
import { createCheckpointStore } from './checkpoint-store.js';
import type { Db } from './database.js';

export type { StoredCheckpoint } from './checkpoint-store.js';

/**
 * The tables of each organization's Merkle tree (migration 0002): leaves in the order events
 * were stored, the completed perfect subtrees above them, and the signed checkpoints.
 */

/** A leaf as stored: what it stands for, its commitment and (until erasure or purge) its salt. */
export interface StoredLeaf {
  position: number;
  eventSeq: number;
  eventId: string;
  timestamp: string;
  category: string;
  commitment: Buffer;
  /** null once the event was erased or purged. */
  salt: Buffer | null;
  hash: Buffer;
}

export type NewLeaf = Omit<StoredLeaf, 'position'> & { orgId: number };

/** Where an event stands in its organization's tree, and what its proof of content needs. */
export interface EventLeaf {
  position: number;
  salt: Buffer | null;
  commitment: Buffer;
}

const LEAF_COLUMNS = 'position, event_seq, event_id, timestamp, category, commitment, salt, hash';
type LeafValues = [number, number, string, string, string, Buffer, Buffer | null, Buffer];

function toLeaf(values: LeafValues): StoredLeaf {
  const [position, eventSeq, eventId, timestamp, category, commitment, salt, hash] = values;
  return { position, eventSeq, eventId, timestamp, category, commitment, salt, hash };
}

/** Rows per multi-row INSERT: 100 leaves bind 900 values, well under SQLite's 32,766. */
const ROWS_PER_INSERT = 100;

function rowsOf(columns: number, rows: number): string {
  const row = `(${Array(columns).fill('?').join(', ')})`;
  return Array(rows).fill(row).join(', ');
}

export type MerkleStore = ReturnType<typeof createMerkleStore>;

export function createMerkleStore(db: Db) {
  const checkpoints = createCheckpointStore(db);
  const selectSealedSeq = db.prepare('SELECT coalesce(max(event_seq), 0) FROM merkle_leaves').pluck();
  const selectSize = db
    .prepare<[number]>('SELECT coalesce(max(position) + 1, 0) FROM merkle_leaves WHERE org_id = ?')
    .pluck();
  const insertLeaf = db.prepare(
    `INSERT INTO merkle_leaves (org_id, ${LEAF_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNode = db.prepare('INSERT INTO merkle_nodes (org_id, level, idx, hash) VALUES (?, ?, ?, ?)');
  const selectLeafHash = db
    .prepare<[number, number], Buffer>('SELECT hash FROM merkle_leaves WHERE org_id = ? AND position = ?')
    .pluck();
  const selectNodeHash = db
    .prepare<[number, number, number], Buffer>(
      'SELECT hash FROM merkle_nodes WHERE org_id = ? AND level = ? AND idx = ?',
    )
    .pluck();
  const selectRange = db
    .prepare<[number, number, number], LeafValues>(
      `SELECT ${LEAF_COLUMNS} FROM merkle_leaves WHERE org_id = ? AND position >= ? AND position < ? ORDER BY position`,
    )
    .raw(true);
  const selectBySeq = db
    .prepare<[number], LeafValues>(`SELECT ${LEAF_COLUMNS} FROM merkle_leaves WHERE event_seq = ?`)
    .raw(true);
  const selectEventLeaf = db.prepare<[number, number], EventLeaf>(
    'SELECT position, salt, commitment FROM merkle_leaves WHERE org_id = ? AND event_seq = ?',
  );
  const selectSeqAt = db
    .prepare<[number, number], number>(
      'SELECT event_seq FROM merkle_leaves WHERE org_id = ? AND position = ?',
    )
    .pluck();
  const insertLeafRows = db.prepare(
    `INSERT INTO merkle_leaves (org_id, ${LEAF_COLUMNS}) VALUES ${rowsOf(9, ROWS_PER_INSERT)}`,
  );
  const insertNodeRows = db.prepare(
    `INSERT INTO merkle_nodes (org_id, level, idx, hash) VALUES ${rowsOf(4, ROWS_PER_INSERT)}`,
  );

  /**
   * Rows bound ROWS_PER_INSERT to a statement (one statement per row cost as much as the
   * hashing), the rest one by one: the same rows either way.
   */
  function insertRows(values: unknown[], columns: number, many: Statement, one: Statement): void {
    const perStatement = columns * ROWS_PER_INSERT;
    let at = 0;
    for (; at + perStatement <= values.length; at += perStatement)
      many.run(values.slice(at, at + perStatement));
    for (; at < values.length; at += columns) one.run(values.slice(at, at + columns));
  }

  /**
   * The leaves of one organization after its last: each leaf climbs while it is a right child,
   * hashed with its left sibling, which is one of the perfect subtrees along the tree's right
   * edge (one per 1 bit of the size), read once and then kept here as the tree grows.
   */
  function appendToOrg(orgId: number, leaves: readonly NewLeaf[]): void {
    let size = Number(selectSize.get(orgId));
    const rightEdge: Buffer[] = [];
    for (let level = 0; 2 ** level <= size; level++)
      if (Math.floor(size / 2 ** level) % 2 === 1)
        rightEdge[level] = hashAt(orgId, level, Math.floor(size / 2 ** level) - 1);
    const leafValues: unknown[] = [];
    const nodeValues: unknown[] = [];
    for (const leaf of leaves) {
      leafValues.push(
        orgId,
        size,
        leaf.eventSeq,
        leaf.eventId,
        leaf.timestamp,
        leaf.category,
        leaf.commitment,
        leaf.salt,
        leaf.hash,
      );
      let hash = leaf.hash;
      let index = size;
      let level = 0;
      for (; index % 2 === 1; level++) {
        hash = nodeHash(rightEdge[level] as Buffer, hash);
        index = (index - 1) / 2;
        nodeValues.push(orgId, level + 1, index, hash);
      }
      rightEdge[level] = hash;
      size++;
    }
    insertRows(leafValues, 9, insertLeafRows, insertLeaf);
    insertRows(nodeValues, 4, insertNodeRows, insertNode);
  }

  function hashAt(orgId: number, level: number, index: number): Buffer {
    const hash = level === 0 ? selectLeafHash.get(orgId, index) : selectNodeHash.get(orgId, level, index);
    if (!hash) throw new RangeError(`the tree of organization ${orgId} has no subtree (${level}, ${index})`);
    return hash;
  }

  return {
    ...checkpoints,

    /** The highest event sequence number that has a leaf (0: none). */
    sealedSeq(): number {
      return Number(selectSealedSeq.get());
    },

    /** How many leaves the organization's tree has. */
    size(orgId: number): number {
      return Number(selectSize.get(orgId));
    },

    /**
     * Appends leaves, in the order given, each at the next position of its organization's tree,
     * and stores every perfect subtree that a leaf completes. Runs in the caller's transaction.
     */
    append(leaves: readonly NewLeaf[]): void {
      const byOrg = new Map<number, NewLeaf[]>();
      for (const leaf of leaves) {
        const list = byOrg.get(leaf.orgId);
        if (list) list.push(leaf);
        else byOrg.set(leaf.orgId, [leaf]);
      }
      for (const [orgId, list] of byOrg) appendToOrg(orgId, list);
    },

    /** The organization's perfect subtrees, read from the tables as a root or proof needs them. */
    subtrees(orgId: number): PerfectSubtrees {
      return (level, index) => hashAt(orgId, level, index);
    },

    /** Leaves [start, end) of the organization's tree, at most MAX_LEAVES_PER_READ. */
    leaves(orgId: number, start: number, end: number): StoredLeaf[] {
      const last = Math.min(end, start + MAX_LEAVES_PER_READ);
      return selectRange.all(orgId, start, last).map(toLeaf);
    },

    /** Iterates the leaves [start, end) without holding them all. */
    *iterateLeaves(orgId: number, start: number, end: number): Generator<StoredLeaf> {
      for (const values of selectRange.iterate(orgId, start, end)) yield toLeaf(values);
    },

    /** The organization's leaf of the event stored at `eventSeq`, if it is sealed. */
    leafOfEvent(orgId: number, eventSeq: number): EventLeaf | undefined {
      return selectEventLeaf.get(orgId, eventSeq);
    },

    /** The positions of the organization's leaves of the events at `eventSeqs` that are sealed. */
    positionsOf(orgId: number, eventSeqs: readonly number[]): number[] {
      return eventSeqs.flatMap((seq) => selectEventLeaf.get(orgId, seq)?.position ?? []);
    },

    /** The sequence number of the event at `position` of the organization's tree. */
    seqAt(orgId: number, position: number): number | undefined {
      return selectSeqAt.get(orgId, position);
    },

    leafOfSeq(eventSeq: number): StoredLeaf | undefined {
      const values = selectBySeq.get(eventSeq);
      return values && toLeaf(values);
    },
  };
}
