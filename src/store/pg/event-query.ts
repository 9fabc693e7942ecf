import { CHECKPOINT_SIGNED, showsCheckpointRecords } from '../../domain/checkpoint-record.js';
import type { EventFilter, VisibilityScope } from '../../domain/filters.js';
import { searchPhrases } from '../../domain/free-text.js';
import { narrowToCursor, type PageQueryRequest, paddedList, prefixUpperBound } from '../event-query.js';
import { toLikePatterns, toTsQuery } from './search.js';
import { escapeText } from './text-escape.js';

/**
 * src/store/event-query.ts for PostgreSQL: the same filters, scopes and keyset cursors, as
 * positional parameters. Where SQLite compares a column with NOCASE (actor_name, actor_email,
 * target_name, team_name), both sides are ascii_fold()ed, which the indexes of migration 1 lead
 * with. Full-text search is the `search` tsvector (or the overflow LIKE), see search.ts.
 */
export interface PgWhere {
  clauses: string[];
  params: unknown[];
}

/** Adds a bound value and returns its placeholder. */
function bind(where: PgWhere, value: unknown): string {
  where.params.push(value);
  return `$${where.params.length}`;
}

/** A bound text value, escaped as the stored text is (text-escape.ts). */
function bindText(where: PgWhere, value: string): string {
  return bind(where, escapeText(value));
}

const folded = (column: string) => `ascii_fold(${column})`;

export function buildEventWhere(orgId: number, filter: EventFilter, scope: VisibilityScope): PgWhere {
  const where: PgWhere = { clauses: [], params: [] };
  where.clauses.push(`org_id = ${bind(where, orgId)}`);
  const add = (clause: string) => where.clauses.push(clause);

  if (scope.kind !== 'organization') {
    const user = bindText(where, scope.userId);
    const email = `ascii_fold(${bindText(where, scope.email)})`;
    const own = `actor_id = ${user} OR ${folded('actor_email')} = ${email}`;
    add(scope.kind === 'team' ? `(team_id = ${bindText(where, scope.teamId)} OR ${own})` : `(${own})`);
  }
  if (filter.categories?.length) add(`category IN (${listParams(where, filter.categories)})`);
  // Page views and API calls stay out of sight unless asked for, by detailed mode or by name.
  if (!filter.detailed && !filter.categories?.includes('access')) add("category <> 'access'");
  if (!showsCheckpointRecords(filter)) add(`action <> '${CHECKPOINT_SIGNED}'`);
  addActions(filter, where);
  if (filter.actor !== undefined) {
    const actor = bindText(where, filter.actor);
    add(
      `(actor_id = ${actor} OR ${folded('actor_email')} = ascii_fold(${actor}) OR ${folded('actor_name')} = ascii_fold(${actor}))`,
    );
  }
  if (filter.self) {
    const id = bindText(where, filter.self.userId);
    add(`(actor_id = ${id} OR ${folded('actor_email')} = ascii_fold(${bindText(where, filter.self.email)}))`);
  }
  if (filter.actorId !== undefined) add(`actor_id = ${bindText(where, filter.actorId)}`);
  if (filter.target !== undefined) {
    const target = bindText(where, filter.target);
    add(`(target_id = ${target} OR ${folded('target_name')} = ascii_fold(${target}))`);
  }
  if (filter.resource !== undefined) {
    const resource = bindText(where, filter.resource);
    const fold = `ascii_fold(${resource})`;
    add(
      `(target_id = ${resource} OR ${folded('target_name')} = ${fold} OR ${folded('team_name')} = ${fold} OR ${folded('actor_email')} = ${fold})`,
    );
  }
  if (filter.ip !== undefined) add(`ip_address = ${bindText(where, filter.ip)}`);
  if (filter.teamId !== undefined) add(`team_id = ${bindText(where, filter.teamId)}`);
  if (filter.from !== undefined) add(`ts >= ${bind(where, filter.from)}`);
  if (filter.toExclusive !== undefined) add(`ts < ${bind(where, filter.toExclusive)}`);
  if (filter.receivedBefore !== undefined) add(`received_at < ${bind(where, filter.receivedBefore)}`);
  if (filter.maxSeq !== undefined) add(`seq <= ${bind(where, filter.maxSeq)}`);
  if (filter.text !== undefined) addText(filter.text, where);
  return where;
}

/** Every phrase in the tsvector; or, for the rows whose text overflowed it, in search_text. */
function addText(text: string, where: PgWhere): void {
  const phrases = searchPhrases(text);
  const query = toTsQuery(phrases);
  if (query === undefined) {
    where.clauses.push('FALSE');
    return;
  }
  const likes = toLikePatterns(phrases).map((pattern) => `search_text LIKE ${bind(where, pattern)}`);
  where.clauses.push(
    `(search @@ ${bind(where, query)}::tsquery OR (search IS NULL AND ${likes.join(' AND ')}))`,
  );
}

function addActions(filter: EventFilter, where: PgWhere): void {
  const alternatives: string[] = [];
  if (filter.actions?.length) alternatives.push(`action IN (${listParams(where, filter.actions)})`);
  for (const prefix of paddedList(filter.actionPrefixes ?? [])) {
    // A range on the prefix uses the action index; COLLATE "C" makes it byte order, as in SQLite.
    alternatives.push(
      `(action >= ${bindText(where, prefix)} AND action < ${bindText(where, prefixUpperBound(prefix))})`,
    );
  }
  if (alternatives.length) where.clauses.push(`(${alternatives.join(' OR ')})`);
}

function listParams(where: PgWhere, values: readonly string[]): string {
  return paddedList(values)
    .map((value) => bindText(where, value))
    .join(', ');
}

/**
 * The SELECT of one page of any kind, limit + 1 rows (the caller tells whether more follow):
 * after a position in the order of ingestion, or in time order from a cursor or an offset.
 */
export function buildPageQuery(
  columns: string,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  request: PageQueryRequest,
): { sql: string; params: unknown[] } {
  if ('afterSeq' in request) {
    const where = buildEventWhere(orgId, filter, scope);
    where.clauses.push(`seq > ${bind(where, request.afterSeq)}`);
    const limit = bind(where, request.limit + 1);
    return {
      sql: `SELECT ${columns} FROM events WHERE ${where.clauses.join(' AND ')} ORDER BY seq LIMIT ${limit}`,
      params: where.params,
    };
  }
  const bounded = request.cursor ? narrowToCursor(filter, request.cursor, request.order) : filter;
  const where = buildEventWhere(orgId, bounded, scope);
  const direction = request.order === 'asc' ? 'ASC' : 'DESC';
  if (request.cursor) {
    const ts = bind(where, request.cursor.timestamp);
    const seq = bind(where, request.cursor.seq);
    where.clauses.push(`(ts, seq) ${request.order === 'asc' ? '>' : '<'} (${ts}, ${seq})`);
  }
  const limit = bind(where, request.limit + 1);
  const offset = request.offset ? ` OFFSET ${bind(where, Math.trunc(request.offset))}` : '';
  const orderBy = `ORDER BY ts ${direction}, seq ${direction}`;
  return {
    sql: `SELECT ${columns} FROM events WHERE ${where.clauses.join(' AND ')} ${orderBy} LIMIT ${limit}${offset}`,
    params: where.params,
  };
}
