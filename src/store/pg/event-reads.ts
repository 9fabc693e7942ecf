import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import type { EventJsonPage, EventPage, PageRequest } from '../event-reads.js';
import type { StoredEvent } from '../event-rows.js';
import type { ExportChunk, ExportChunkRequest } from '../export-chunk.js';
import { buildEventWhere, buildPageQuery } from './event-query.js';
import { EVENT_COLUMNS, eventJson, pgValuesToStoredEvent } from './event-rows.js';
import { readExportChunk } from './export-chunk.js';
import type { Queryable } from './pool.js';
import { escapeText } from './text-escape.js';

export type PgEventReads = ReturnType<typeof createPgEventReads>;

/** An event by id: event_ids names its partition's (ts, seq), so one partition is read. */
const BY_ID_SQL = `SELECT ${EVENT_COLUMNS.split(', ')
  .map((name) => `e.${name}`)
  .join(', ')} FROM event_ids i JOIN events e ON e.org_id = i.org_id AND e.ts = i.ts AND e.seq = i.seq
  WHERE i.org_id = $1 AND i.id = $2`;

/**
 * src/store/event-reads.ts on PostgreSQL, async, org-scoped where SQLite's reads were global
 * (positions are per organization here). `db` is the pool, or a client inside a transaction
 * when several reads must agree.
 */
export function createPgEventReads(db: Queryable) {
  async function rows(sql: string, params: unknown[]): Promise<unknown[][]> {
    return (await db.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows;
  }

  async function readPage(
    orgId: number,
    filter: EventFilter,
    scope: VisibilityScope,
    request: PageRequest,
  ): Promise<EventPage> {
    const { sql, params } = buildPageQuery(EVENT_COLUMNS, orgId, filter, scope, request);
    const found = await rows(sql, params);
    return {
      events: found.slice(0, request.limit).map(pgValuesToStoredEvent),
      hasMore: found.length > request.limit,
    };
  }

  return {
    page: readPage,

    /** The same page as `page`, as JSON text per event: what the list API sends. */
    async pageJson(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      request: PageRequest,
    ): Promise<EventJsonPage> {
      const { events, hasMore } = await readPage(orgId, filter, scope, request);
      const last = events.at(-1);
      return {
        events: events.map((stored) => eventJson(stored.event)),
        hasMore,
        last: last && { id: last.event.id, ts: Date.parse(last.event.timestamp), seq: last.seq },
      };
    },

    /** The streamed export's next chunk after `request.cursor`, oldest first (export-chunk.ts). */
    exportChunk(
      orgId: number,
      filter: EventFilter,
      scope: VisibilityScope,
      request: ExportChunkRequest,
    ): Promise<ExportChunk> {
      return readExportChunk(db, orgId, filter, scope, request);
    },

    async findById(orgId: number, id: string): Promise<StoredEvent | undefined> {
      const [values] = await rows(BY_ID_SQL, [orgId, escapeText(id)]);
      return values ? pgValuesToStoredEvent(values) : undefined;
    },

    /** One event by id, if the scope lets the caller see it (access events included). */
    async findVisible(orgId: number, id: string, scope: VisibilityScope): Promise<StoredEvent | undefined> {
      const where = buildEventWhere(orgId, { detailed: true }, scope);
      const found = await db.query<{ ts: number; seq: number }>(
        'SELECT ts, seq FROM event_ids WHERE org_id = $1 AND id = $2',
        [orgId, escapeText(id)],
      );
      const at = found.rows[0];
      if (!at) return undefined;
      where.params.push(at.ts, at.seq);
      const n = where.params.length;
      const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.clauses.join(' AND ')} AND ts = $${n - 1} AND seq = $${n}`;
      const [values] = await rows(sql, where.params);
      return values ? pgValuesToStoredEvent(values) : undefined;
    },

    /** The event at a position of an organization. */
    async findBySeq(orgId: number, seq: number): Promise<StoredEvent | undefined> {
      const [values] = await rows(`SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = $1 AND seq = $2`, [
        orgId,
        seq,
      ]);
      return values ? pgValuesToStoredEvent(values) : undefined;
    },

    /**
     * An organization's events after a position, in position order: what followers and the sealer
     * read. Positions are gap-free and commit-ordered (migration 1, org_positions), so a reader
     * that asks again after the last one it got never skips an event that commits later.
     */
    async readFrom(orgId: number, afterSeq: number, limit: number): Promise<StoredEvent[]> {
      const found = await rows(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [orgId, afterSeq, limit],
      );
      return found.map(pgValuesToStoredEvent);
    },

    /** The highest position of a stored event of the organization, 0 for none. */
    async maxSeq(orgId: number): Promise<number> {
      const { rows: found } = await db.query<{ seq: number }>(
        'SELECT coalesce(max(seq), 0)::bigint AS seq FROM events WHERE org_id = $1',
        [orgId],
      );
      return found[0]?.seq ?? 0;
    },

    /** The end of the organization's log: the highest position ever issued (erased ones too). */
    async endSeq(orgId: number): Promise<number> {
      const { rows: found } = await db.query<{ last: number }>(
        'SELECT last FROM org_positions WHERE org_id = $1',
        [orgId],
      );
      return found[0]?.last ?? 0;
    },
  };
}
