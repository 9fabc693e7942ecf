import { CHECKPOINT_SIGNED } from '../../domain/checkpoint-record.js';
import type { Async } from '../port.js';
import type { Detail } from '../review-details.js';
import {
  type BurstKey,
  burstSql,
  MAX_RULE_ROWS,
  type ReviewQueries,
  type ReviewRow,
  ROLE_ACTIONS,
  ROW_COLUMNS,
} from '../review-queries.js';
import { detailOfDocuments, pgDetailSql, taggedEquals, unreadable, untag } from './review-details.js';
import { type PgRows, pgReviewRow, sent, stored, storedList } from './review-rows.js';

/** A person (email, else id), ASCII-folded as SQLite's lower() folds: the review's user key. */
export const PG_USER_KEY_SQL = "nullif(ascii_fold(coalesce(actor_email, actor_id)), '')";
const BURST_KEYS: Record<BurstKey, string> = { ip: "nullif(ip_address, '')", user: PG_USER_KEY_SQL };
const OF_ACTIONS = 'org_id = @orgId AND action = ANY(@actions::text[])';
/** SQLite's NOCASE match of actor_email, and the actor id: one person. */
const BY_PERSON = '(ascii_fold(actor_email) = ascii_fold(@email) OR actor_id = @id)';

/**
 * src/store/review-queries.ts on PostgreSQL: the same reads, orders, limits and answers. Every
 * read names org_id and a column of one of the (org_id, column, ts, seq) indexes of migration 1.
 */
export function createPgReviewQueries(all: PgRows): Async<ReviewQueries> {
  const rows = async (sql: string, params: Record<string, unknown>) =>
    (await all(sql, params)).map((values) => pgReviewRow(values));
  const person = (actor: { email: string | null; id: string | null }) => ({
    email: stored(actor.email),
    id: stored(actor.id),
  });

  /** The detail of a row PostgreSQL could not read: its documents, read in JS. */
  async function detailInJs(orgId: number, row: ReviewRow, detail: Detail): Promise<unknown> {
    const [documents] = await all(
      'SELECT changes, metadata FROM events WHERE org_id = @orgId AND ts = @ts AND seq = @seq',
      { orgId, ts: row.ts, seq: row.seq },
    );
    const [changes, metadata] = documents ?? [];
    return detailOfDocuments(detail, { changes, metadata });
  }

  /** Rows with their detail read; those PostgreSQL could not read, read in JS. */
  async function withDetails(orgId: number, sql: string, params: Record<string, unknown>, detail: Detail) {
    const found = await rows(sql, params);
    for (const row of found)
      row.detail = unreadable(row.detail) ? await detailInJs(orgId, row, detail) : untag(detail, row.detail);
    return found;
  }

  return {
    async byActions(orgId, actions, range, options = {}) {
      const detail = options.detail ?? 'none';
      const limit = Math.floor(options.limit ?? MAX_RULE_ROWS);
      const detailSql = pgDetailSql(detail);
      const { equals } = options;
      const only = equals === undefined ? '' : `AND ${detailSql} IN (@equals, '')`;
      const params = { orgId, actions: storedList(actions), ...range };
      const found: ReviewRow[] = [];
      let after = '';
      const bound: Record<string, unknown> =
        equals === undefined ? {} : { equals: taggedEquals(detail, equals) };
      // Rows PostgreSQL could not read are filtered here, so a page may keep fewer than it read.
      while (found.length < limit) {
        const want = limit - found.length;
        const page = await withDetails(
          orgId,
          `SELECT ${ROW_COLUMNS}, ${detailSql} FROM events
           WHERE ${OF_ACTIONS} AND ts >= @from AND ts < @to ${only} ${after}
           ORDER BY ts, seq LIMIT ${want}`,
          { ...params, ...bound },
          detail,
        );
        found.push(...page.filter((row) => equals === undefined || row.detail === equals));
        const last = page.at(-1);
        if (page.length < want || !last) break;
        after = 'AND (ts, seq) > (@afterTs, @afterSeq)';
        Object.assign(bound, { afterTs: last.ts, afterSeq: last.seq });
      }
      return found;
    },

    async span(orgId, actions, from, to) {
      const [[count, first, last] = []] = await all(
        `SELECT count(*), min(ts), max(ts) FROM events WHERE ${OF_ACTIONS} AND ts >= @from AND ts < @to`,
        { orgId, actions: storedList(actions), from, to },
      );
      return {
        count: count as number,
        first: (first as number | null) ?? null,
        last: (last as number | null) ?? null,
      };
    },

    async firstEventTs(orgId) {
      const [[first] = []] = await all('SELECT min(ts) FROM events WHERE org_id = @orgId', { orgId });
      return (first as number | null) ?? null;
    },

    async burstRows(orgId, actions, key, range, burst) {
      const found = await all(
        burstSql(
          `SELECT ${ROW_COLUMNS}, ${BURST_KEYS[key]} AS k FROM events WHERE ${OF_ACTIONS} AND ts >= @from AND ts < @to`,
          burst,
          'bool_or',
        ),
        { orgId, actions: storedList(actions), from: range.from, to: range.to },
      );
      return found.map((values) => pgReviewRow(values, true));
    },

    async firstFromIp(orgId, action, ip, after, until) {
      const [row] = await rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events
         WHERE org_id = @orgId AND ip_address = @ip AND ts > @after AND ts <= @until AND action = @action
         ORDER BY ts, seq LIMIT 1`,
        { orgId, ip: stored(ip), after, until, action: stored(action) },
      );
      return row;
    },

    async actorFromIp(orgId, actor, ip, window, limit) {
      const where = `org_id = @orgId AND ip_address = @ip AND ts > @after AND ts <= @until
        AND action <> '${CHECKPOINT_SIGNED}' AND ${BY_PERSON}`;
      const params = { orgId, ip: stored(ip), ...window, ...person(actor) };
      const found = await rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events WHERE ${where} ORDER BY ts, seq LIMIT ${Math.floor(limit)}`,
        params,
      );
      const [[total] = []] = await all(`SELECT count(*) FROM events WHERE ${where}`, params);
      return { rows: found, total: total as number };
    },

    actorActions(orgId, actor, action, after, until) {
      return rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events
         WHERE org_id = @orgId AND action = @action AND ts > @after AND ts <= @until AND ${BY_PERSON}
         ORDER BY ts, seq LIMIT ${MAX_RULE_ROWS}`,
        { orgId, action: stored(action), after, until, ...person(actor) },
      );
    },

    async roleBefore(orgId, target, at) {
      const [row] = await withDetails(
        orgId,
        `SELECT ${ROW_COLUMNS}, ${pgDetailSql('newRole')} FROM events
         WHERE ${OF_ACTIONS} AND (target_id = @id OR ascii_fold(target_name) = ascii_fold(@email))
           AND (ts < @ts OR (ts = @ts AND seq < @seq))
         ORDER BY ts DESC, seq DESC LIMIT 1`,
        { orgId, actions: storedList(ROLE_ACTIONS), ...person(target), ts: at.ts, seq: at.seq },
        'newRole',
      );
      return row;
    },

    async directoryRole(orgId, who) {
      // SQLite answers the user of the email before the user of the id (its OR walks the email first).
      const [found] = await all(
        `SELECT role FROM users WHERE org_id = @orgId AND (ascii_fold(email) = ascii_fold(@email) OR public_id = @id)
         ORDER BY ascii_fold(email) = ascii_fold(@email) DESC NULLS LAST, id LIMIT 1`,
        { orgId, ...person(who) },
      );
      return found ? (found[0] as string) : undefined;
    },

    async distinctActions(orgId) {
      const found = await all(
        `WITH RECURSIVE walk(action) AS (
           SELECT min(action) FROM events WHERE org_id = @orgId
           UNION ALL
           SELECT (SELECT min(action) FROM events WHERE org_id = @orgId AND action > walk.action)
           FROM walk WHERE walk.action IS NOT NULL
         ) SELECT action FROM walk WHERE action IS NOT NULL`,
        { orgId },
      );
      return found.map(([action]) => sent(action) as string);
    },
  };
}
