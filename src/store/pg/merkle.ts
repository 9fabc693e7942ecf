import { nodeHash } from '../../domain/merkle/hashes.js';
import { MAX_LEAVES_PER_READ } from '../../domain/request-limits.js';
import type { EventLeaf, NewLeaf, StoredCheckpoint, StoredLeaf } from '../merkle-store.js';
import type { MerklePort } from '../port.js';
import type { Transact } from './directory.js';
import { readExportLeaves, readLeafRows } from './merkle-rows.js';
import { subtreeHashes, subtreeKey, withPgSubtrees } from './merkle-subtrees.js';
import type { Queryable } from './pool.js';
import { escapeText, unescapeText } from './text-escape.js';

const LEAF_COLUMNS = 'position, event_seq, event_id, timestamp, category, commitment, salt, hash';
type LeafValues = [number, number, string, string, string, Buffer, Buffer | null, Buffer];
const CHECKPOINT_COLUMNS = 'tree_size AS "treeSize", root, signed_at AS "signedAt", note';
/** Leaves read per page by iterateLeaves. */
const ITERATE_PAGE = 1000;

function toLeaf(values: unknown[]): StoredLeaf {
  const [position, eventSeq, eventId, timestamp, category, commitment, salt, hash] = values as LeafValues;
  return { position, eventSeq, eventId: unescapeText(eventId), timestamp, category, commitment, salt, hash };
}

function toCheckpoint(row: StoredCheckpoint): StoredCheckpoint {
  return { ...row, note: unescapeText(row.note) };
}

/**
 * src/store/merkle-store.ts and checkpoint-store.ts on PostgreSQL (migration 1's merkle_*
 * tables, per organization): the same leaves, subtrees and checkpoints for the same appends.
 * `append` runs through `transact`: in the caller's write, or in a transaction of its own.
 */
export function createPgMerkle(db: Queryable, transact: Transact): MerklePort {
  const leafRows = async (sql: string, params: unknown[]) =>
    (await db.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows.map(toLeaf);
  const sizeOn = async (on: Queryable, orgId: number): Promise<number> => {
    const { rows } = await on.query<{ size: number }>(
      'SELECT coalesce(max(position) + 1, 0)::bigint AS size FROM merkle_leaves WHERE org_id = $1',
      [orgId],
    );
    return rows[0]?.size ?? 0;
  };
  const size = (orgId: number) => sizeOn(db, orgId);
  const eventLeaf = async (orgId: number, eventSeq: number): Promise<EventLeaf | undefined> =>
    (
      await db.query<EventLeaf>(
        'SELECT position, salt, commitment FROM merkle_leaves WHERE org_id = $1 AND event_seq = $2',
        [orgId, eventSeq],
      )
    ).rows[0];

  /** As SQLite's appendToOrg: each leaf climbs while it is a right child; new nodes stored. */
  async function appendToOrg(on: Queryable, orgId: number, leaves: readonly NewLeaf[]): Promise<void> {
    // The organization's state row, locked to COMMIT: two appenders of one tree take turns,
    // and each reads the size the other left.
    await on.query('INSERT INTO merkle_state (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [orgId]);
    await on.query('SELECT 1 FROM merkle_state WHERE org_id = $1 FOR UPDATE', [orgId]);
    let at = await sizeOn(on, orgId);
    const edge: [number, number][] = [];
    for (let level = 0; 2 ** level <= at; level++)
      if (Math.floor(at / 2 ** level) % 2 === 1) edge.push([level, Math.floor(at / 2 ** level) - 1]);
    const known = await subtreeHashes(on, orgId, edge);
    const rightEdge: Buffer[] = [];
    for (const [level, index] of edge) rightEdge[level] = known.get(subtreeKey(level, index)) as Buffer;
    const positions: number[] = [];
    const nodes: { level: number; index: number; hash: Buffer }[] = [];
    for (const leaf of leaves) {
      positions.push(at);
      let hash = leaf.hash;
      let index = at;
      let level = 0;
      for (; index % 2 === 1; level++) {
        hash = nodeHash(rightEdge[level] as Buffer, hash);
        index = (index - 1) / 2;
        nodes.push({ level: level + 1, index, hash });
      }
      rightEdge[level] = hash;
      at++;
    }
    await on.query(
      `INSERT INTO merkle_leaves (org_id, ${LEAF_COLUMNS})
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
         $7::bytea[], $8::bytea[], $9::bytea[])`,
      [
        orgId,
        positions,
        leaves.map((leaf) => leaf.eventSeq),
        // A sender's id, escaped as events.id is (text-escape.ts).
        leaves.map((leaf) => escapeText(leaf.eventId)),
        leaves.map((leaf) => leaf.timestamp),
        leaves.map((leaf) => leaf.category),
        leaves.map((leaf) => leaf.commitment),
        leaves.map((leaf) => leaf.salt),
        leaves.map((leaf) => leaf.hash),
      ],
    );
    if (nodes.length > 0) {
      await on.query(
        `INSERT INTO merkle_nodes (org_id, level, idx, hash)
         SELECT $1, * FROM unnest($2::integer[], $3::bigint[], $4::bytea[])`,
        [
          orgId,
          nodes.map((node) => node.level),
          nodes.map((node) => node.index),
          nodes.map((node) => node.hash),
        ],
      );
    }
    const lastSeq = Math.max(...leaves.map((leaf) => leaf.eventSeq));
    await on.query(
      `INSERT INTO merkle_state (org_id, sealed_seq, size) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET sealed_seq = greatest(merkle_state.sealed_seq, excluded.sealed_seq),
         size = excluded.size`,
      [orgId, lastSeq, at],
    );
  }

  return {
    exportLeaves: (orgId, filter, after, limit) => readExportLeaves(db, orgId, filter, after, limit),

    async addCheckpoint(orgId: number, checkpoint: StoredCheckpoint) {
      await db.query(
        'INSERT INTO merkle_checkpoints (org_id, tree_size, root, signed_at, note) VALUES ($1, $2, $3, $4, $5)',
        // The note names the organization by its slug, which may hold U+0000: escaped text.
        [orgId, checkpoint.treeSize, checkpoint.root, checkpoint.signedAt, escapeText(checkpoint.note)],
      );
    },

    async latestCheckpoint(orgId) {
      const { rows } = await db.query<StoredCheckpoint>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM merkle_checkpoints WHERE org_id = $1 ORDER BY tree_size DESC LIMIT 1`,
        [orgId],
      );
      return rows[0] && toCheckpoint(rows[0]);
    },

    async checkpointOfSize(orgId, treeSize) {
      const { rows } = await db.query<StoredCheckpoint>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM merkle_checkpoints WHERE org_id = $1 AND tree_size = $2`,
        [orgId, treeSize],
      );
      return rows[0] && toCheckpoint(rows[0]);
    },

    async sealedSeq(orgId) {
      const { rows } = await db.query<{ seq: number }>(
        'SELECT coalesce(max(event_seq), 0)::bigint AS seq FROM merkle_leaves WHERE org_id = $1',
        [orgId],
      );
      return rows[0]?.seq ?? 0;
    },

    size,

    async append(leaves) {
      const byOrg = new Map<number, NewLeaf[]>();
      for (const leaf of leaves) {
        const list = byOrg.get(leaf.orgId);
        if (list) list.push(leaf);
        else byOrg.set(leaf.orgId, [leaf]);
      }
      // Organizations in ascending id, whatever order the leaves came in: two appends that
      // share organizations lock their state rows in one order, so they take turns instead of
      // deadlocking.
      const orgIds = [...byOrg.keys()].sort((a, b) => a - b);
      await transact(async (q) => {
        for (const orgId of orgIds) await appendToOrg(q, orgId, byOrg.get(orgId) as NewLeaf[]);
      });
    },

    withSubtrees: (orgId, compute) => withPgSubtrees(db, orgId, compute),

    leaves: (orgId, start, end) =>
      leafRows(
        `SELECT ${LEAF_COLUMNS} FROM merkle_leaves WHERE org_id = $1 AND position >= $2 AND position < $3 ORDER BY position`,
        [orgId, start, Math.min(end, start + MAX_LEAVES_PER_READ)],
      ),

    /** Page by page (leaves never change once appended, so pages agree without one snapshot). */
    async *iterateLeaves(orgId, start, end) {
      for (let from = start; from < end; ) {
        const page = await leafRows(
          `SELECT ${LEAF_COLUMNS} FROM merkle_leaves WHERE org_id = $1 AND position >= $2 AND position < $3
           ORDER BY position LIMIT ${ITERATE_PAGE}`,
          [orgId, from, end],
        );
        yield* page;
        const last = page.at(-1);
        if (page.length < ITERATE_PAGE || !last) return;
        from = last.position + 1;
      }
    },

    leafRows: (orgId, start, end) => readLeafRows(db, orgId, start, end),

    leafOfEvent: eventLeaf,

    /** In the order of `eventSeqs`, as SQLite answers, from one query. */
    async positionsOf(orgId, eventSeqs) {
      const { rows } = await db.query<{ seq: number; position: number }>(
        'SELECT event_seq AS seq, position FROM merkle_leaves WHERE org_id = $1 AND event_seq = ANY($2::bigint[])',
        [orgId, [...eventSeqs]],
      );
      const bySeq = new Map(rows.map((row) => [row.seq, row.position]));
      return eventSeqs.flatMap((seq) => bySeq.get(seq) ?? []);
    },

    async seqAt(orgId, position) {
      const { rows } = await db.query<{ seq: number }>(
        'SELECT event_seq AS seq FROM merkle_leaves WHERE org_id = $1 AND position = $2',
        [orgId, position],
      );
      return rows[0]?.seq;
    },

    async leafOfSeq(orgId, eventSeq) {
      const [leaf] = await leafRows(
        `SELECT ${LEAF_COLUMNS} FROM merkle_leaves WHERE org_id = $1 AND event_seq = $2`,
        [orgId, eventSeq],
      );
      return leaf;
    },
  };
}
