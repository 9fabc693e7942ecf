import type { PerfectSubtrees } from '../../domain/merkle/subtrees.js';
import type { Queryable } from './pool.js';

/**
 * Roots and proofs on PostgreSQL. The domain computes them over a synchronous lookup of perfect
 * subtrees (PerfectSubtrees), which SQLite answers a statement at a time; PostgreSQL cannot
 * answer synchronously, so the computation is run twice: first over placeholders, to learn which
 * (level, index) it asks for, then, after one query fetched those, over their hashes. Sound
 * because roots and proofs choose their subtrees by sizes and indexes alone, never by a hash's
 * value (src/domain/merkle/proofs.ts); the second run asking for one not fetched is an error.
 */
export async function withPgSubtrees<T>(
  db: Queryable,
  orgId: number,
  compute: (perfect: PerfectSubtrees) => T,
): Promise<T> {
  const needed = subtreesNeeded(compute);
  const hashes = await subtreeHashes(db, orgId, needed);
  return compute((level, index) => {
    const hash = hashes.get(subtreeKey(level, index));
    if (!hash) throw new Error(`subtree (${level}, ${index}) was not asked for on the first run`);
    return hash;
  });
}

const PLACEHOLDER = Buffer.alloc(32);
/** How subtreeHashes keys its answer. */
export const subtreeKey = (level: number, index: number) => `${level}/${index}`;

/** The (level, index) pairs `compute` looks up, once each, in the order first asked. */
export function subtreesNeeded(compute: (perfect: PerfectSubtrees) => unknown): [number, number][] {
  const asked = new Map<string, [number, number]>();
  compute((level, index) => {
    asked.set(subtreeKey(level, index), [level, index]);
    return PLACEHOLDER;
  });
  return [...asked.values()];
}

/**
 * The hashes of perfect subtrees of an organization's tree (level 0: its leaves), in one query;
 * one that the tree does not have is an error, as on SQLite (merkle-store.ts hashAt).
 */
export async function subtreeHashes(
  db: Queryable,
  orgId: number,
  wanted: readonly [number, number][],
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (wanted.length === 0) return found;
  const nodes = wanted.filter(([level]) => level > 0);
  const { rows } = await db.query<{ level: number; idx: number; hash: Buffer }>(
    `SELECT 0 AS level, position AS idx, hash FROM merkle_leaves
       WHERE org_id = $1 AND position = ANY($2::bigint[])
     UNION ALL
     SELECT n.level, n.idx, n.hash FROM merkle_nodes n
       JOIN unnest($3::integer[], $4::bigint[]) AS w (level, idx) ON n.level = w.level AND n.idx = w.idx
       WHERE n.org_id = $1`,
    [
      orgId,
      wanted.filter(([level]) => level === 0).map(([, index]) => index),
      nodes.map(([level]) => level),
      nodes.map(([, index]) => index),
    ],
  );
  for (const row of rows) found.set(subtreeKey(row.level, row.idx), row.hash);
  for (const [level, index] of wanted)
    if (!found.has(subtreeKey(level, index)))
      throw new RangeError(`the tree of organization ${orgId} has no subtree (${level}, ${index})`);
  return found;
}
