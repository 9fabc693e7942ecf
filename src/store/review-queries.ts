import { CHECKPOINT_SIGNED } from '../domain/checkpoint-record.js';
import type { Db } from './database.js';
import { DETAIL_SPECS, type Detail, sqliteDetailSql } from './review-details.js';
import { createStatementCache } from './statement-cache.js';

export type { Detail };

/** What the security review reads of an event: who, from where, on what, and one extract. */
export interface ReviewRow {
  seq: number;
  id: string;
  ts: number;
  action: string;
  actorId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  actorType: string | null;
  ip: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  /** The query's extract (DETAILS), or the burst's key for burstRows. */
  detail: unknown;
}

/** Rows one rule may read at most: past it, the oldest are kept (a flood is reported, not held). */
export const MAX_RULE_ROWS = 100_000;

/**
 * The index each read walks, named: these reads want every matching row, and without statistics
 * SQLite prefers (org_id, ts) for its order, which would walk every event of the range.
 */
export const BY_ACTION = 'INDEXED BY events_action_time';
const BY_IP = 'INDEXED BY events_ip_time';

/** The columns of a ReviewRow, in reviewRowOf's order; the detail follows them. */
export const ROW_COLUMNS =
  'seq, id, ts, action, actor_id, actor_email, actor_name, actor_type, ip_address, target_type, target_id, target_name';
/** A person: email, else id; case folded (an email is matched without case everywhere else too). */
export const USER_KEY_SQL = "nullif(lower(coalesce(actor_email, actor_id)), '')";
/** A burst's key: the address, or the person (USER_KEY_SQL). */
const BURST_KEYS = { ip: "nullif(ip_address, '')", user: USER_KEY_SQL } as const;
export type BurstKey = keyof typeof BURST_KEYS;

/**
 * burstRows' statement over `hits` (a SELECT of ROW_COLUMNS and the key as k), in SQL both
 * engines read: `anyTrue` is SQLite's max() of a comparison, PostgreSQL's bool_or().
 */
export function burstSql(
  hits: string,
  burst: { windowMs: number; threshold: number },
  anyTrue: 'max' | 'bool_or' = 'max',
): string {
  const span = Math.floor(burst.windowMs) - 1;
  const threshold = Math.floor(burst.threshold);
  return `WITH hits AS (${hits}), counted AS (
      SELECT *, count(*) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN CURRENT ROW AND ${span} FOLLOWING) AS ahead
      FROM hits WHERE k IS NOT NULL
    ), marked AS (
      SELECT *, ${anyTrue}(ahead >= ${threshold}) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN ${span} PRECEDING AND CURRENT ROW) AS covered
      FROM counted
    )
    SELECT * FROM (
      SELECT ${ROW_COLUMNS}, k FROM marked WHERE covered ORDER BY ts, seq LIMIT ${MAX_RULE_ROWS}
    ) AS kept ORDER BY k, ts, seq`;
}

/** Each detail's SQL, built once from its description (review-details.ts). */
const DETAILS = Object.fromEntries(
  (Object.keys(DETAIL_SPECS) as Detail[]).map((detail) => [detail, sqliteDetailSql(detail)]),
) as Record<Detail, string>;

/** Events that give someone a role: what a person's role at a moment is read from. */
export const ROLE_ACTIONS = [
  'team.member_role_changed',
  'team.member_added',
  'team.member_invited',
  'organization.owner_transferred',
];

/** A row of ROW_COLUMNS and the detail, as read → the ReviewRow. */
export function reviewRowOf(values: unknown[]): ReviewRow {
  const [
    seq,
    id,
    ts,
    action,
    actorId,
    actorEmail,
    actorName,
    actorType,
    ip,
    targetType,
    targetId,
    targetName,
  ] = values as [number, string, number, string, ...(string | null)[]];
  return {
    seq,
    id,
    ts,
    action,
    actorId: actorId ?? null,
    actorEmail: actorEmail ?? null,
    actorName: actorName ?? null,
    actorType: actorType ?? null,
    ip: ip ?? null,
    targetType: targetType ?? null,
    targetId: targetId ?? null,
    targetName: targetName ?? null,
    detail: values[12] ?? null,
  };
}

export type ReviewQueries = ReturnType<typeof createReviewQueries>;

/**
 * The security review's reads of events: each one an index range (action, ip, actor or target,
 * then time), returning only the rows a rule looks at. Aggregates are in review-aggregates.ts.
 */
export function createReviewQueries(db: Db) {
  const statements = createStatementCache(db, 50, (sql) => db.prepare(sql).raw(true));
  const rows = (sql: string, params: Record<string, unknown>) =>
    (statements.get(sql).all(params) as unknown[][]).map(reviewRowOf);

  return {
    /**
     * Events of these actions in [from, to), oldest first, with an extract; `equals`: only those
     * whose extract is that value.
     */
    byActions(
      orgId: number,
      actions: string[],
      range: { from: number; to: number },
      options: { detail?: Detail; equals?: string; limit?: number } = {},
    ) {
      const detail = DETAILS[options.detail ?? 'none'];
      const only = options.equals === undefined ? '' : `AND ${detail} = @equals`;
      return rows(
        `SELECT ${ROW_COLUMNS}, ${detail} FROM events ${BY_ACTION}
         WHERE org_id = @orgId AND action IN (SELECT value FROM json_each(@actions)) AND ts >= @from AND ts < @to ${only}
         ORDER BY ts, seq LIMIT ${Math.floor(options.limit ?? MAX_RULE_ROWS)}`,
        {
          orgId,
          actions: JSON.stringify(actions),
          ...range,
          ...(options.equals === undefined ? {} : { equals: options.equals }),
        },
      );
    },

    /** How many events of these actions [from, to) holds, and the first and last time. */
    span(orgId: number, actions: string[], from: number, to: number) {
      const sql = `SELECT count(*), min(ts), max(ts) FROM events ${BY_ACTION}
        WHERE org_id = @orgId AND action IN (SELECT value FROM json_each(@actions)) AND ts >= @from AND ts < @to`;
      const [count, first, last] = statements
        .get(sql)
        .get({ orgId, actions: JSON.stringify(actions), from, to }) as [number, number | null, number | null];
      return { count, first, last };
    },

    /** The time of the organization's oldest event, if it has any. */
    firstEventTs(orgId: number): number | null {
      const sql = 'SELECT min(ts) FROM events WHERE org_id = @orgId';
      const [first] = statements.get(sql).get({ orgId }) as [number | null];
      return first;
    },

    /**
     * Events of these actions that lie in a burst: some `windowMs` window holding at least
     * `threshold` of them with the same key (IP or person). Window functions find them in SQL, so
     * only burst rows reach JavaScript; `detail` is the key. The oldest MAX_RULE_ROWS (not the
     * lowest keys: a sender picks the addresses), ordered by key, then time.
     */
    burstRows(
      orgId: number,
      actions: string[],
      key: BurstKey,
      range: { from: number; to: number },
      burst: { windowMs: number; threshold: number },
    ) {
      return rows(
        burstSql(
          `SELECT ${ROW_COLUMNS}, ${BURST_KEYS[key]} AS k FROM events ${BY_ACTION}
           WHERE org_id = @orgId AND action IN (SELECT value FROM json_each(@actions)) AND ts >= @from AND ts < @to`,
          burst,
        ),
        { orgId, actions: JSON.stringify(actions), from: range.from, to: range.to },
      );
    },

    /** The first event of `action` from `ip` in (after, until]. */
    firstFromIp(
      orgId: number,
      action: string,
      ip: string,
      after: number,
      until: number,
    ): ReviewRow | undefined {
      return rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events ${BY_IP}
         WHERE org_id = @orgId AND ip_address = @ip AND ts > @after AND ts <= @until AND action = @action
         ORDER BY ts, seq LIMIT 1`,
        { orgId, ip, after, until, action },
      )[0];
    },

    /** What one person (email or id) did from `ip` in (after, until]: the first `limit` and the count. */
    actorFromIp(
      orgId: number,
      actor: { email: string | null; id: string | null },
      ip: string,
      window: { after: number; until: number },
      limit: number,
    ): { rows: ReviewRow[]; total: number } {
      const where = `org_id = @orgId AND ip_address = @ip AND ts > @after AND ts <= @until
        AND action <> '${CHECKPOINT_SIGNED}' AND (actor_email = @email OR actor_id = @id)`;
      const params = { orgId, ip, ...window, email: actor.email, id: actor.id };
      const found = rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events ${BY_IP} WHERE ${where} ORDER BY ts, seq LIMIT ${limit}`,
        params,
      );
      const [total] = statements.get(`SELECT count(*) FROM events ${BY_IP} WHERE ${where}`).get(params) as [
        number,
      ];
      return { rows: found, total };
    },

    /** Events of `action` by one person (email or id) in (after, until]. */
    actorActions(
      orgId: number,
      actor: { email: string | null; id: string | null },
      action: string,
      after: number,
      until: number,
    ): ReviewRow[] {
      return rows(
        `SELECT ${ROW_COLUMNS}, NULL FROM events ${BY_ACTION}
         WHERE org_id = @orgId AND action = @action AND ts > @after AND ts <= @until
           AND (actor_email = @email OR actor_id = @id)
         ORDER BY ts, seq LIMIT ${MAX_RULE_ROWS}`,
        { orgId, action, after, until, email: actor.email, id: actor.id },
      );
    },

    /** The new role of the newest role event naming this person as its target before the event at (ts, seq). */
    roleBefore(
      orgId: number,
      person: { email: string | null; id: string | null },
      at: { ts: number; seq: number },
    ): ReviewRow | undefined {
      return rows(
        `SELECT ${ROW_COLUMNS}, ${DETAILS.newRole} FROM events ${BY_ACTION}
         WHERE org_id = @orgId AND action IN (SELECT value FROM json_each(@actions))
           AND (target_id = @id OR target_name = @email) AND (ts < @ts OR (ts = @ts AND seq < @seq))
         ORDER BY ts DESC, seq DESC LIMIT 1`,
        { orgId, actions: JSON.stringify(ROLE_ACTIONS), id: person.id, email: person.email, ...at },
      )[0];
    },

    /** The person's role in the server's own directory now, if they are a user of it. */
    directoryRole(orgId: number, person: { email: string | null; id: string | null }): string | undefined {
      const found = db
        .prepare<{ orgId: number; email: string | null; id: string | null }, { role: string }>(
          'SELECT role FROM users WHERE org_id = @orgId AND (email = @email OR public_id = @id) LIMIT 1',
        )
        .get({ orgId, ...person });
      return found?.role;
    },

    /** The distinct actions the organization has ever logged, walked one index seek at a time. */
    distinctActions(orgId: number): string[] {
      const sql = `WITH RECURSIVE walk(action) AS (
          SELECT min(action) FROM events WHERE org_id = @orgId
          UNION ALL
          SELECT (SELECT min(action) FROM events WHERE org_id = @orgId AND action > walk.action)
          FROM walk WHERE walk.action IS NOT NULL
        ) SELECT action FROM walk WHERE action IS NOT NULL`;
      return (statements.get(sql).all({ orgId }) as unknown[][]).map(([action]) => action as string);
    },
  };
}
