import type { AuditEvent } from '../domain/event.js';
import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { searchPhrases, toFtsQuery } from '../domain/free-text.js';
import type { Db } from './database.js';
import { buildEventWhere, buildPageQuery, type PageQueryRequest } from './event-query.js';
import {
  EVENT_COLUMNS,
  EVENT_JSON,
  type EventRow,
  type EventValues,
  eventToRowValues,
  rowToStoredEvent,
  type StoredEvent,
  valuesToRow,
} from './event-rows.js';
import { createStatementCache } from './statement-cache.js';
import { inMaintenanceWindow, writeTransaction } from './transaction.js';
import { createOutboxWriter } from './webhook-outbox.js';

/** Prepared filtered queries kept per kind (rows as objects, rows as arrays). */
const STATEMENT_CACHE_SIZE = 200;

/** Up to this many full-text hits, a search reads its hits rather than walking the time index. */
const TEXT_DRIVEN_MAX_HITS = 5000;

/** `offset` is the compatibility `page=` paging; slower than a cursor on deep pages. */
export type PageRequest = PageQueryRequest;

export interface EventPage {
  events: StoredEvent[];
  hasMore: boolean;
}

/** A page as the list API answers it: each event's JSON text, and where the page ends. */
export interface EventJsonPage {
  events: string[];
  hasMore: boolean;
  /** The last event's id, time and position, for the next page's cursor. */
  last: { id: string; ts: number; seq: number } | undefined;
}

/** The columns of a JSON page row: [json, id, ts, seq]. */
const JSON_PAGE_COLUMNS = `${EVENT_JSON}, id, ts, seq`;
type JsonPageRow = [string, string, number, number];

export interface IngestResult {
  /** In the order they were sent; a duplicate id yields the event already stored. */
  stored: StoredEvent[];
  /** Per event, in the same order: true when it was stored now, false for a duplicate id. */
  fresh: boolean[];
  created: number;
}

export type EventStore = ReturnType<typeof createEventStore>;

export function createEventStore(db: Db) {
  const insert = db.prepare(`INSERT INTO events (org_id, id, ts, received_at, category, action, description,
      actor_id, actor_name, actor_email, actor_type, target_type, target_id, target_name, ip_address, user_agent,
      team_id, team_name, changes, metadata)
    VALUES (@org_id, @id, @ts, @received_at, @category, @action, @description, @actor_id, @actor_name,
      @actor_email, @actor_type, @target_type, @target_id, @target_name, @ip_address, @user_agent, @team_id,
      @team_name, @changes, @metadata)
    ON CONFLICT (org_id, id) DO NOTHING`);
  // The full-text rows of a batch's new events (all of seq >= the first one: the transaction
  // holds the write lock), in one statement after the events themselves: see migration 4.
  const indexText = db.prepare<[number]>(`INSERT INTO events_fts (rowid, actor_name, actor_email, action,
      target_name, ip_address, description, metadata_values)
    SELECT seq, actor_name, actor_email, action, target_name, ip_address, description,
      (SELECT group_concat(value, ' ') FROM json_tree(coalesce(metadata, '{}')) WHERE atom IS NOT NULL)
    FROM events WHERE seq >= ? ORDER BY seq`);
  const queueWebhookDeliveries = createOutboxWriter(db);
  const selectById = db.prepare<[number, string], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = ? AND id = ?`,
  );
  const selectFromSeq = db
    .prepare<[number, number], EventValues>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
    )
    .raw(true);
  const selectMaxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  // AUTOINCREMENT keeps the highest sequence ever issued in sqlite_sequence, erased rows included.
  const selectEndSeq = db
    .prepare(
      `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
        (SELECT coalesce(max(seq), 0) FROM events))`,
    )
    .pluck();
  // How many full-text hits a search has, counted up to TEXT_DRIVEN_MAX_HITS only.
  const countTextHits = db
    .prepare<[string]>(
      `SELECT count(*) FROM (SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ${TEXT_DRIVEN_MAX_HITS})`,
    )
    .pluck();
  const deleteBefore = db.prepare('DELETE FROM events WHERE org_id = ? AND ts < ?');
  // Filtered queries differ by which filters are present (and how many values a list filter
  // has); each shape is prepared once and kept while it is among the most recently used.
  const statements = createStatementCache(db, STATEMENT_CACHE_SIZE);
  // Rows as arrays (EVENT_COLUMNS, see valuesToRow, or JSON_PAGE_COLUMNS); used for nothing else.
  const rawStatements = createStatementCache(db, STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql).raw(true));
  const selectRaw = <T>(sql: string, params: Record<string, string | number>) =>
    rawStatements.get(sql).all(params) as T[];
  const selectRows = (sql: string, params: Record<string, string | number>) =>
    selectRaw<EventValues>(sql, params).map(valuesToRow);
  const selectJsonPage = (sql: string, params: Record<string, string | number>, limit: number) =>
    toJsonPage(selectRaw<JsonPageRow>(sql, params), limit);

  const pageQuery = (
    columns: string,
    orgId: number,
    filter: EventFilter,
    scope: VisibilityScope,
    request: PageRequest,
  ) => {
    // A rare term: read its hits and sort them. A common one: walk the time index, which
    // meets a page of hits soon (reading every hit of a common term would be the slow way).
    const textDriven =
      filter.text !== undefined &&
      Number(countTextHits.get(toFtsQuery(searchPhrases(filter.text)))) < TEXT_DRIVEN_MAX_HITS;
    return buildPageQuery(columns, orgId, filter, scope, { ...request, textDriven });
  };
  const afterQuery = (
    columns: string,
    orgId: number,
    filter: EventFilter,
    scope: VisibilityScope,
    afterSeq: number,
    limit: number,
  ) => {
    const where = buildEventWhere(orgId, filter, scope);
    const sql = `SELECT ${columns} FROM events WHERE ${where.clauses.join(' AND ')} AND seq > @afterSeq
        ORDER BY seq LIMIT @limit`;
    return { sql, params: { ...where.params, afterSeq, limit: limit + 1 } };
  };

  return {
    ingest(orgId: number, events: readonly AuditEvent[], receivedAt: number): IngestResult {
      return writeTransaction(db, () => {
        let created = 0;
        let firstSeq: number | undefined;
        const fresh: boolean[] = [];
        const stored = events.map((event) => {
          const result = insert.run({ ...eventToRowValues(event), org_id: orgId, received_at: receivedAt });
          fresh.push(result.changes === 1);
          if (result.changes === 1) {
            created++;
            const seq = Number(result.lastInsertRowid);
            firstSeq ??= seq;
            return { seq, orgId, receivedAt, event };
          }
          return rowToStoredEvent(selectById.get(orgId, event.id) as EventRow);
        });
        if (firstSeq !== undefined) {
          indexText.run(firstSeq);
          queueWebhookDeliveries(orgId, firstSeq);
        }
        return { stored, fresh, created };
      });
    },

    page(orgId: number, filter: EventFilter, scope: VisibilityScope, request: PageRequest): EventPage {
      const { sql, params } = pageQuery(EVENT_COLUMNS, orgId, filter, scope, request);
      return toPage(selectRows(sql, params), request.limit);
    },

    /** The same page as `page`, as JSON text per event: what the list API sends. */
    pageJson(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      request: PageRequest,
    ): EventJsonPage {
      const { sql, params } = pageQuery(JSON_PAGE_COLUMNS, orgId, filter, scope, request);
      return selectJsonPage(sql, params, request.limit);
    },

    /** Events ingested after position `afterSeq`, oldest first: what a follower has not yet seen. */
    after(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      afterSeq: number,
      limit: number,
    ): EventPage {
      const { sql, params } = afterQuery(EVENT_COLUMNS, orgId, filter, scope, afterSeq, limit);
      return toPage(selectRows(sql, params), limit);
    },

    /** The same events as `after`, as JSON text per event. */
    afterJson(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      afterSeq: number,
      limit: number,
    ): EventJsonPage {
      const { sql, params } = afterQuery(JSON_PAGE_COLUMNS, orgId, filter, scope, afterSeq, limit);
      return selectJsonPage(sql, params, limit);
    },

    findById(orgId: number, id: string): StoredEvent | undefined {
      const row = selectById.get(orgId, id);
      return row ? rowToStoredEvent(row) : undefined;
    },

    /** One event by id, if the scope lets the caller see it (access events included). */
    findVisible(orgId: number, id: string, scope: VisibilityScope): StoredEvent | undefined {
      const where = buildEventWhere(orgId, { detailed: true }, scope);
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.clauses.join(' AND ')} AND id = @id`;
      const row = statements.get(sql).get({ ...where.params, id }) as EventRow | undefined;
      return row ? rowToStoredEvent(row) : undefined;
    },

    /** Every organization's events after a position, for the live follower hub. */
    readFrom(afterSeq: number, limit: number): StoredEvent[] {
      return selectFromSeq.all(afterSeq, limit).map((values) => rowToStoredEvent(valuesToRow(values)));
    },

    /** How many filtered-query statements are prepared now (bounded: see STATEMENT_CACHE_SIZE). */
    preparedStatements(): number {
      return statements.size + rawStatements.size;
    },

    maxSeq(): number {
      return Number(selectMaxSeq.get());
    },

    /**
     * The end of the log: the highest sequence this database ever issued, so a position of an
     * erased newest event is not past it, while one from a newer copy of the database is.
     */
    endSeq(): number {
      return Number(selectEndSeq.get());
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

function toPage(rows: EventRow[], limit: number): EventPage {
  const hasMore = rows.length > limit;
  return { events: rows.slice(0, limit).map(rowToStoredEvent), hasMore };
}

function toJsonPage(rows: JsonPageRow[], limit: number): EventJsonPage {
  const hasMore = rows.length > limit;
  const events = rows.slice(0, limit);
  const last = events.at(-1);
  return {
    events: events.map(([json]) => json),
    hasMore,
    last: last && { id: last[1], ts: last[2], seq: last[3] },
  };
}
