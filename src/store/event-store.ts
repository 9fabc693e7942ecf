import type { AuditEvent } from '../domain/event.js';
import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { type Db, inMaintenanceWindow, writeTransaction } from './database.js';
import { buildEventWhere, buildPageQuery, type PageQueryRequest } from './event-query.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  eventToRowValues,
  rowToStoredEvent,
  type StoredEvent,
} from './event-rows.js';

/** `offset` is the compatibility `page=` paging; slower than a cursor on deep pages. */
export type PageRequest = PageQueryRequest;

export interface EventPage {
  events: StoredEvent[];
  hasMore: boolean;
}

export interface IngestResult {
  /** In the order they were sent; a duplicate id yields the event already stored. */
  stored: StoredEvent[];
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
  const selectById = db.prepare<[number, string], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = ? AND id = ?`,
  );
  const selectFromSeq = db.prepare<[number, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const selectMaxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  const deleteBefore = db.prepare('DELETE FROM events WHERE org_id = ? AND ts < ?');
  // Filtered queries differ by which filters are present; each distinct shape is prepared once.
  const statements = new Map<string, ReturnType<Db['prepare']>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const selectRows = (sql: string, params: Record<string, string | number>) =>
    prepared(sql).all(params) as EventRow[];

  return {
    ingest(orgId: number, events: readonly AuditEvent[], receivedAt: number): IngestResult {
      return writeTransaction(db, () => {
        let created = 0;
        const stored = events.map((event) => {
          const result = insert.run({ ...eventToRowValues(event), org_id: orgId, received_at: receivedAt });
          if (result.changes === 1) {
            created++;
            return { seq: Number(result.lastInsertRowid), orgId, receivedAt, event };
          }
          return rowToStoredEvent(selectById.get(orgId, event.id) as EventRow);
        });
        return { stored, created };
      });
    },

    page(orgId: number, filter: EventFilter, scope: VisibilityScope, request: PageRequest): EventPage {
      const { sql, params } = buildPageQuery(EVENT_COLUMNS, orgId, filter, scope, request);
      return toPage(selectRows(sql, params), request.limit);
    },

    /** Events ingested after position `afterSeq`, oldest first: what a follower has not yet seen. */
    after(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      afterSeq: number,
      limit: number,
    ): EventPage {
      const where = buildEventWhere(orgId, filter, scope);
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.clauses.join(' AND ')} AND seq > @afterSeq
        ORDER BY seq LIMIT ${limit + 1}`;
      return toPage(selectRows(sql, { ...where.params, afterSeq }), limit);
    },

    findById(orgId: number, id: string): StoredEvent | undefined {
      const row = selectById.get(orgId, id);
      return row ? rowToStoredEvent(row) : undefined;
    },

    /** One event by id, if the scope lets the caller see it (access events included). */
    findVisible(orgId: number, id: string, scope: VisibilityScope): StoredEvent | undefined {
      const where = buildEventWhere(orgId, { detailed: true }, scope);
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.clauses.join(' AND ')} AND id = @id`;
      const row = prepared(sql).get({ ...where.params, id }) as EventRow | undefined;
      return row ? rowToStoredEvent(row) : undefined;
    },

    /** Every organization's events after a position, for the live follower hub. */
    readFrom(afterSeq: number, limit: number): StoredEvent[] {
      return selectFromSeq.all(afterSeq, limit).map(rowToStoredEvent);
    },

    maxSeq(): number {
      return Number(selectMaxSeq.get());
    },

    /** Retention: removes the organization's events older than `cutoff`; returns how many. */
    purgeBefore(orgId: number, cutoff: number): number {
      return inMaintenanceWindow(db, () => deleteBefore.run(orgId, cutoff).changes);
    },
  };
}

function toPage(rows: EventRow[], limit: number): EventPage {
  const hasMore = rows.length > limit;
  return { events: rows.slice(0, limit).map(rowToStoredEvent), hasMore };
}
