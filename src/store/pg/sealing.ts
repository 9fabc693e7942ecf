import type { StoredEvent } from '../event-rows.js';
import type { SealingPort, SealingState } from '../port.js';
import type { Transact } from './directory.js';
import { EVENT_COLUMNS, pgValuesToStoredEvent } from './event-rows.js';
import type { Queryable } from './pool.js';

/**
 * Every organization with events gets its merkle_state row (sealed_seq 0) before one is locked:
 * FOR UPDATE SKIP LOCKED locks rows, it cannot lock a row not there yet. An organization whose
 * positions a transaction holds (a purge or erasure, which may be making that row itself) is
 * passed by, not waited for; the rest in ascending id, as merkle.append takes them, so two
 * sealers making rows at once wait for each other in one order.
 */
const MISSING_STATE_SQL = `INSERT INTO merkle_state (org_id)
  SELECT p.org_id FROM org_positions AS p
  WHERE p.last > 0 AND NOT EXISTS (SELECT 1 FROM merkle_state AS s WHERE s.org_id = p.org_id)
  ORDER BY p.org_id
  FOR KEY SHARE OF p SKIP LOCKED
  ON CONFLICT DO NOTHING`;

/**
 * The next organization with positions past its sealed one whose tree no other transaction holds
 * (another instance's sealer or signer, a purge, an erasure): locked to COMMIT. The least behind
 * first, so a long backlog of one organization does not hold every other's back; a batch fills
 * the rest of its room from the backlog.
 */
const LOCK_NEXT_SQL = `SELECT s.org_id AS "orgId", s.sealed_seq AS "sealedSeq", p.last
  FROM merkle_state AS s JOIN org_positions AS p ON p.org_id = s.org_id
  WHERE p.last > s.sealed_seq AND s.org_id <> ALL($1::bigint[])
  ORDER BY p.last - s.sealed_seq, s.org_id
  LIMIT 1
  FOR UPDATE OF s SKIP LOCKED`;

const UNSEALED_SQL = `SELECT ${EVENT_COLUMNS} FROM events
  WHERE org_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`;

const BEHIND_SQL = `SELECT coalesce(sum(p.last - coalesce(s.sealed_seq, 0)), 0)::bigint AS behind
  FROM org_positions AS p LEFT JOIN merkle_state AS s ON s.org_id = p.org_id
  WHERE p.last > coalesce(s.sealed_seq, 0)`;

const STATE_SQL = `SELECT coalesce(sum(sealed_seq), 0)::bigint AS sealed, coalesce(sum(epoch), 0)::bigint AS epochs
  FROM merkle_state`;

/**
 * What the tree sealer reads (port.ts SealingPort) on PostgreSQL, where positions are each
 * organization's own: several instances seal at once, each the organizations it could lock
 * (merkle_state, FOR UPDATE SKIP LOCKED), so no event gets two leaves nor is passed over.
 *
 * Positions are gap-free and commit-ordered (org_positions): once a transaction sees `last`,
 * every position up to it has committed, so a position up to `last` with no event was purged
 * (retention, before it was sealed) and takes no leaf, as SQLite's sealer passes deleted rows by.
 * An erased event is sealed as erasure rewrote it. Erasure and purge move the organization's
 * epoch in its merkle_state row (maintenance.ts), a lock the sealer holds while it reads and
 * appends: the events a leaf is computed from cannot change before the leaf is stored.
 */
export function createPgSealing(db: Queryable, transact: Transact, writable: boolean): SealingPort {
  const refuse = (method: string) =>
    Promise.reject(new Error(`sealing.${method} locks, and Engine.read's transaction is read-only`));

  /** One organization's next events past its sealed position; none: its trailing gap is passed. */
  async function nextOf(on: Queryable, orgId: number, sealedSeq: number, last: number, limit: number) {
    const { rows } = await on.query<unknown[]>({
      text: UNSEALED_SQL,
      values: [orgId, sealedSeq, last, limit],
      rowMode: 'array',
    });
    // Every position up to `last` committed before this read, so these were purged unsealed.
    if (rows.length === 0)
      await on.query('UPDATE merkle_state SET sealed_seq = $2 WHERE org_id = $1', [orgId, last]);
    return rows.map(pgValuesToStoredEvent);
  }

  return {
    /**
     * Inside a write: the next events of the organizations this transaction could lock, each
     * organization's in position order, one organization after another, up to `limit`. Their
     * trees stay locked to COMMIT, so the leaves appended in this write are the only ones.
     */
    unsealed(limit: number): Promise<StoredEvent[]> {
      if (!writable) return refuse('unsealed');
      return transact(async (on) => {
        await on.query(MISSING_STATE_SQL);
        const found: StoredEvent[] = [];
        const taken: number[] = [];
        while (found.length < limit) {
          const { rows } = await on.query<{ orgId: number; sealedSeq: number; last: number }>(LOCK_NEXT_SQL, [
            taken,
          ]);
          const next = rows[0];
          if (!next) break;
          taken.push(next.orgId);
          found.push(...(await nextOf(on, next.orgId, next.sealedSeq, next.last, limit - found.length)));
        }
        return found;
      });
    },

    /** Positions issued past each organization's sealed one (purged ones until passed). */
    async behind(): Promise<number> {
      const { rows } = await db.query<{ behind: number }>(BEHIND_SQL);
      return rows[0]?.behind ?? 0;
    },

    /**
     * No one sequence here: `afterSeq` sums every organization's sealed position (it moves
     * whenever a tree grows), `version` their epochs (it moves with every erasure and purge).
     * No leaf worker reads it on PostgreSQL: the sealer computes leaves inside its write.
     */
    async state(): Promise<SealingState> {
      const { rows } = await db.query<{ sealed: number; epochs: number }>(STATE_SQL);
      return { afterSeq: rows[0]?.sealed ?? 0, version: String(rows[0]?.epochs ?? 0) };
    },

    /**
     * Inside a write: the organization's tree is this transaction's until it ends, so two
     * instances do not sign the same size. Its positions first, then its state row: the order a
     * purge or erasure takes them (maintenance.ts), and the signer's own record takes positions.
     */
    holdTree(orgId: number): Promise<void> {
      if (!writable) return refuse('holdTree');
      return transact(async (on) => {
        await on.query('SELECT 1 FROM org_positions WHERE org_id = $1 FOR UPDATE', [orgId]);
        await on.query('SELECT 1 FROM merkle_state WHERE org_id = $1 FOR UPDATE', [orgId]);
      });
    },
  };
}
