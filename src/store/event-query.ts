import { CHECKPOINT_SIGNED, showsCheckpointRecords } from '../domain/checkpoint-record.js';
import type { PageCursor, SortOrder } from '../domain/cursor.js';
import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { searchPhrases, toFtsQuery } from '../domain/free-text.js';

export interface SqlWhere {
  clauses: string[];
  params: Record<string, string | number>;
}

/**
 * Turns a filter and the caller's visibility into SQL. Every value is a bound parameter; every
 * equality filter has an index that leads with it and continues with (ts, seq), so a filtered
 * page is an index range walk rather than a scan.
 */
export function buildEventWhere(
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  options: { textDriven?: boolean } = {},
): SqlWhere {
  // textDriven: a rare search term is fastest found from its full-text hits, so the unary `+`
  // keeps SQLite off the (org_id, …) indexes, which would walk every event of the organization.
  const where: SqlWhere = {
    clauses: [options.textDriven && filter.text !== undefined ? '+org_id = @orgId' : 'org_id = @orgId'],
    params: { orgId },
  };
  const add = (clause: string, params: Record<string, string | number> = {}) => {
    where.clauses.push(clause);
    Object.assign(where.params, params);
  };

  addScope(scope, add);
  if (filter.categories?.length) add(`category IN (${listParams('category', filter.categories, where)})`);
  // Page views and API calls stay out of sight unless asked for, by detailed mode or by name.
  if (!filter.detailed && !filter.categories?.includes('access')) add("category <> 'access'");
  if (!showsCheckpointRecords(filter)) add(`action <> '${CHECKPOINT_SIGNED}'`);
  addActions(filter, where, add);
  if (filter.actor !== undefined) {
    add('(actor_id = @actor OR actor_email = @actor OR actor_name = @actor)', { actor: filter.actor });
  }
  if (filter.self) {
    add('(actor_id = @selfId OR actor_email = @selfEmail)', {
      selfId: filter.self.userId,
      selfEmail: filter.self.email,
    });
  }
  if (filter.actorId !== undefined) add('actor_id = @actorId', { actorId: filter.actorId });
  if (filter.target !== undefined)
    add('(target_id = @target OR target_name = @target)', { target: filter.target });
  if (filter.resource !== undefined) {
    add(
      '(target_id = @resource OR target_name = @resource OR team_name = @resource OR actor_email = @resource)',
      { resource: filter.resource },
    );
  }
  if (filter.ip !== undefined) add('ip_address = @ip', { ip: filter.ip });
  if (filter.teamId !== undefined) add('team_id = @teamId', { teamId: filter.teamId });
  if (filter.from !== undefined) add('ts >= @from', { from: filter.from });
  if (filter.toExclusive !== undefined) add('ts < @toExclusive', { toExclusive: filter.toExclusive });
  if (filter.receivedBefore !== undefined) {
    add('received_at < @receivedBefore', { receivedBefore: filter.receivedBefore });
  }
  // `+seq`: the bound must not choose the index. By events_org_seq SQLite would read every event
  // of the organization up to the bound and sort them by time, for each page (80–100 ms at
  // 200,000 events); the time or filter index walks in page order and drops the few above it.
  if (filter.maxSeq !== undefined) add('+seq <= @maxSeq', { maxSeq: filter.maxSeq });
  if (filter.text !== undefined) {
    add('seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH @fts)', {
      fts: toFtsQuery(searchPhrases(filter.text)),
    });
  }
  return where;
}

function addScope(scope: VisibilityScope, add: (clause: string, params?: Record<string, string>) => void) {
  if (scope.kind === 'team') {
    add('(team_id = @scopeTeam OR actor_id = @scopeUser OR actor_email = @scopeEmail)', {
      scopeTeam: scope.teamId,
      scopeUser: scope.userId,
      scopeEmail: scope.email,
    });
  } else if (scope.kind === 'self') {
    add('(actor_id = @scopeUser OR actor_email = @scopeEmail)', {
      scopeUser: scope.userId,
      scopeEmail: scope.email,
    });
  }
}

function addActions(filter: EventFilter, where: SqlWhere, add: (clause: string) => void) {
  const alternatives: string[] = [];
  if (filter.actions?.length) alternatives.push(`action IN (${listParams('action', filter.actions, where)})`);
  paddedList(filter.actionPrefixes ?? []).forEach((prefix, index) => {
    // A range on the prefix uses the action index, where LIKE would not (it folds case).
    where.params[`actionFrom${index}`] = prefix;
    where.params[`actionTo${index}`] = prefixUpperBound(prefix);
    alternatives.push(`(action >= @actionFrom${index} AND action < @actionTo${index})`);
  });
  if (alternatives.length) add(`(${alternatives.join(' OR ')})`);
}

function listParams(name: string, values: readonly string[], where: SqlWhere): string {
  return paddedList(values)
    .map((value, index) => {
      where.params[`${name}${index}`] = value;
      return `@${name}${index}`;
    })
    .join(', ');
}

/** A page in time order, from a cursor or (the compatibility `page=` paging) an offset. */
export interface TimePageRequest {
  order: SortOrder;
  limit: number;
  cursor?: PageCursor;
  /** Slower than a cursor on deep pages. */
  offset?: number;
  /** Drive the query from the full-text hits (see buildEventWhere); only with a text filter. */
  textDriven?: boolean;
}

/** A page in the order of ingestion, after a position: what a follower has not yet seen. */
export interface PositionPageRequest {
  afterSeq: number;
  limit: number;
}

export type PageQueryRequest = TimePageRequest | PositionPageRequest;

/**
 * The SELECT of one page of any kind (limit + 1 rows, so the caller can tell whether more
 * follow). LIMIT and OFFSET are bound, not written into the text: every page size and page
 * number shares one prepared statement (see statement-cache.ts).
 */
export function buildPageQuery(
  columns: string,
  orgId: number,
  filter: EventFilter,
  scope: VisibilityScope,
  request: PageQueryRequest,
): { sql: string; params: Record<string, string | number> } {
  if ('afterSeq' in request) {
    const where = buildEventWhere(orgId, filter, scope);
    where.clauses.push('seq > @afterSeq');
    Object.assign(where.params, { afterSeq: request.afterSeq, limit: request.limit + 1 });
    return {
      sql: `SELECT ${columns} FROM events WHERE ${where.clauses.join(' AND ')} ORDER BY seq LIMIT @limit`,
      params: where.params,
    };
  }
  const bounded = request.cursor ? narrowToCursor(filter, request.cursor, request.order) : filter;
  const where = buildEventWhere(orgId, bounded, scope, { textDriven: request.textDriven });
  const keyset = keysetClause(request.cursor, request.order);
  if (keyset.clause && request.cursor) {
    where.clauses.push(keyset.clause);
    Object.assign(where.params, { cursorTs: request.cursor.timestamp, cursorSeq: request.cursor.seq });
  }
  where.params.limit = request.limit + 1;
  const offset = request.offset ? ' OFFSET @offset' : '';
  if (request.offset) where.params.offset = Math.trunc(request.offset);
  const sql = `SELECT ${columns} FROM events WHERE ${where.clauses.join(' AND ')} ${keyset.orderBy} LIMIT @limit${offset}`;
  return { sql, params: where.params };
}

/**
 * The time range of `filter` cut down to what lies beyond `cursor`. Given both `ts >= @from` and
 * `(ts, seq) > (@cursorTs, @cursorSeq)`, SQLite starts the index walk at `from` and skips every
 * row before the cursor: page k of an export cost O(k) (at 200,000 events the last pages read
 * 25 µs a row instead of 1). One bound on ts, the tighter one, starts the walk at the cursor.
 */
export function narrowToCursor(filter: EventFilter, cursor: PageCursor, order: SortOrder): EventFilter {
  if (order === 'asc')
    return { ...filter, from: Math.max(filter.from ?? cursor.timestamp, cursor.timestamp) };
  const before = cursor.timestamp + 1;
  return { ...filter, toExclusive: Math.min(filter.toExclusive ?? before, before) };
}

/** The keyset condition for the page after `cursor`, and the ORDER BY for `order`. */
export function keysetClause(
  cursor: PageCursor | undefined,
  order: SortOrder,
): { clause?: string; orderBy: string } {
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  const orderBy = `ORDER BY ts ${direction}, seq ${direction}`;
  if (!cursor) return { orderBy };
  return { clause: `(ts, seq) ${order === 'asc' ? '>' : '<'} (@cursorTs, @cursorSeq)`, orderBy };
}

/**
 * The distinct values, padded to a power of two by repeating the last one (the same condition):
 * a list of n values makes one of log2(n) query texts, not one per n, so the prepared statements
 * of every list a caller can send stay few.
 */
export function paddedList(values: readonly string[]): string[] {
  const distinct = [...new Set(values)];
  const last = distinct.at(-1);
  if (last === undefined) return distinct;
  let size = 1;
  while (size < distinct.length) size *= 2;
  while (distinct.length < size) distinct.push(last);
  return distinct;
}

/** The least string above every string that starts with `prefix`: `action < it` ends the prefix's range. */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
