import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { Db } from './database.js';
import { buildEventWhere, buildPageQuery, type PageQueryRequest } from './event-query.js';
import { EVENT_COLUMNS, EVENT_JSON, type StoredEvent, valuesToStoredEvent } from './event-rows.js';
import { createStatementCache } from './statement-cache.js';
import { createTextDrivenCheck } from './text-driven.js';

/** Prepared filtered queries kept (each query shape once). */
const STATEMENT_CACHE_SIZE = 200;

/** A page in time order (cursor or offset) or in the order of ingestion (after a position). */
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

/** How a page's rows are read: the columns selected, and what each row becomes. */
interface RowShape<T> {
  columns: string;
  read: (values: unknown[]) => T;
}

const STORED_EVENTS: RowShape<StoredEvent> = { columns: EVENT_COLUMNS, read: valuesToStoredEvent };

interface JsonRow {
  json: string;
  last: { id: string; ts: number; seq: number };
}
const JSON_TEXTS: RowShape<JsonRow> = {
  columns: `${EVENT_JSON}, id, ts, seq`,
  read: ([json, id, ts, seq]) => ({
    json: json as string,
    last: { id: id as string, ts: ts as number, seq: seq as number },
  }),
};

export type EventReads = ReturnType<typeof createEventReads>;

/**
 * Every way events are read back. Rows come as arrays (better-sqlite3's `raw()`) and are made
 * into events by the one decoder of event-rows.ts, or are JSON that SQLite built (EVENT_JSON).
 */
export function createEventReads(db: Db) {
  const selectById = db
    .prepare<[number, string], unknown[]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = ? AND id = ?`)
    .raw(true);
  const selectFromSeq = db
    .prepare<[number, number], unknown[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
    )
    .raw(true);
  const selectBySeq = db
    .prepare<[number], unknown[]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = ?`)
    .raw(true);
  const selectMaxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  // AUTOINCREMENT keeps the highest sequence ever issued in sqlite_sequence, erased rows included.
  const selectEndSeq = db
    .prepare(
      `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
        (SELECT coalesce(max(seq), 0) FROM events))`,
    )
    .pluck();
  const isTextDriven = createTextDrivenCheck(db);
  // Filtered queries differ by which filters are present (and how many values a list filter
  // has); each shape is prepared once and kept while it is among the most recently used.
  const statements = createStatementCache(db, STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql).raw(true));

  /** The one paging function: a page of any kind, in any row shape. */
  function readPage<T>(
    shape: RowShape<T>,
    orgId: number,
    filter: EventFilter,
    scope: VisibilityScope,
    request: PageRequest,
  ): { rows: T[]; hasMore: boolean } {
    const textDriven = !('afterSeq' in request) && isTextDriven(filter);
    const { sql, params } = buildPageQuery(
      shape.columns,
      orgId,
      filter,
      scope,
      textDriven ? { ...request, textDriven } : request,
    );
    const rows = statements.get(sql).all(params) as unknown[][];
    const hasMore = rows.length > request.limit;
    return { rows: rows.slice(0, request.limit).map(shape.read), hasMore };
  }

  return {
    page(orgId: number, filter: EventFilter, scope: VisibilityScope, request: PageRequest): EventPage {
      const { rows, hasMore } = readPage(STORED_EVENTS, orgId, filter, scope, request);
      return { events: rows, hasMore };
    },

    /** The same page as `page`, as JSON text per event: what the list API sends. */
    pageJson(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      request: PageRequest,
    ): EventJsonPage {
      const { rows, hasMore } = readPage(JSON_TEXTS, orgId, filter, scope, request);
      return { events: rows.map((row) => row.json), hasMore, last: rows.at(-1)?.last };
    },

    findById(orgId: number, id: string): StoredEvent | undefined {
      const values = selectById.get(orgId, id);
      return values ? valuesToStoredEvent(values) : undefined;
    },

    /** One event by id, if the scope lets the caller see it (access events included). */
    findVisible(orgId: number, id: string, scope: VisibilityScope): StoredEvent | undefined {
      const where = buildEventWhere(orgId, { detailed: true }, scope);
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.clauses.join(' AND ')} AND id = @id`;
      const values = statements.get(sql).get({ ...where.params, id }) as unknown[] | undefined;
      return values ? valuesToStoredEvent(values) : undefined;
    },

    /** The event stored at a sequence number, of any organization. */
    findBySeq(seq: number): StoredEvent | undefined {
      const values = selectBySeq.get(seq);
      return values ? valuesToStoredEvent(values) : undefined;
    },

    /** Every organization's events after a position, for the live follower hub and the sealer. */
    readFrom(afterSeq: number, limit: number): StoredEvent[] {
      return selectFromSeq.all(afterSeq, limit).map(valuesToStoredEvent);
    },

    /** How many filtered-query statements are prepared now (bounded: see STATEMENT_CACHE_SIZE). */
    preparedStatements(): number {
      return statements.size;
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
  };
}
