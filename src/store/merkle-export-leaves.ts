import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import type { Db } from './database.js';
import { buildPageQuery, type PageQueryRequest } from './event-query.js';
import type { EventLeaf } from './merkle-store.js';
import { createStatementCache } from './statement-cache.js';

/** A page of an export's events, in export order, with their leaves (undefined: not sealed). */
export interface ExportLeafPage {
  leaves: (EventLeaf | undefined)[];
  hasMore: boolean;
  /** Where the next page starts. */
  last: { ts: number; seq: number } | undefined;
}

/** A page query's row joined to its leaf: what both engines read for exportLeaves. */
export type ExportLeafRow = [
  ts: number,
  seq: number,
  position: number | null,
  salt: Buffer | null,
  commitment: Buffer | null,
];
const EXPORT_STATEMENT_CACHE_SIZE = 20;

export type ExportLeafReader = ReturnType<typeof createExportLeafReader>;

/** What an export's proof says of each of its rows: the rows' leaves, page by page, in export order. */
export function createExportLeafReader(db: Db) {
  // An export's filters make the query's text; each shape is prepared once while recently used.
  const exportStatements = createStatementCache(db, EXPORT_STATEMENT_CACHE_SIZE, (sql) =>
    db.prepare(sql).raw(true),
  );

  return {
    /**
     * The leaves of the events a list with `filter` and order=asc would give (an export's rows, in
     * its order), `limit` after the event at `after`: what an export's proof says of each row.
     */
    exportLeaves(
      orgId: number,
      filter: EventFilter,
      after: { ts: number; seq: number } | undefined,
      limit: number,
    ): ExportLeafPage {
      // The page's leaves joined in SQLite: a lookup per row from here cost several times more.
      const { sql, params } = exportLeavesQuery(buildPageQuery, '@orgId', orgId, filter, after, limit);
      return exportLeafPageOf(exportStatements.get(sql).all(params) as ExportLeafRow[], limit);
    },
  };
}

type PageQueryBuilder<Params> = (
  columns: string,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  request: PageQueryRequest,
) => { sql: string; params: Params };

/**
 * exportLeaves' query on either engine: the page `buildPage` makes of the events a list with
 * `filter` and order=asc gives after `after`, each row joined to its leaf (`org` is how the
 * engine's page query names the organization's value).
 */
export function exportLeavesQuery<Params>(
  buildPage: PageQueryBuilder<Params>,
  org: string,
  orgId: number,
  filter: EventFilter,
  after: { ts: number; seq: number } | undefined,
  limit: number,
): { sql: string; params: Params } {
  const cursor = after && { order: 'asc' as const, timestamp: after.ts, seq: after.seq };
  const page = buildPage(
    'ts, seq',
    orgId,
    filter,
    { kind: 'organization' },
    {
      order: 'asc',
      limit,
      ...(cursor ? { cursor } : {}),
    },
  );
  const sql = `SELECT page.ts, page.seq, leaf.position, leaf.salt, leaf.commitment FROM (${page.sql}) AS page
    LEFT JOIN merkle_leaves AS leaf ON leaf.org_id = ${org} AND leaf.event_seq = page.seq
    ORDER BY page.ts, page.seq`;
  return { sql, params: page.params };
}

/** The page of `limit + 1` joined rows that a page query read (the extra row: more follow). */
export function exportLeafPageOf(rows: ExportLeafRow[], limit: number): ExportLeafPage {
  const page = rows.slice(0, limit);
  const final = page.at(-1);
  return {
    leaves: page.map(([, , position, salt, commitment]) =>
      position === null ? undefined : { position, salt, commitment: commitment as Buffer },
    ),
    hasMore: rows.length > limit,
    last: final && { ts: final[0], seq: final[1] },
  };
}
