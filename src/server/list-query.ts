import { type Category, isCategory } from '../domain/categories.js';
import { CursorError, type PageCursor, type SortOrder } from '../domain/cursor.js';
import type { EventFilter, VisibilityScope } from '../domain/filters.js';
import { searchPhrases } from '../domain/free-text.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_LIST_VALUES,
  MAX_SEARCH_WORDS,
  searchCost,
} from '../domain/request-limits.js';
import {
  parseDurationMs,
  parseFromBound,
  parseInstant,
  parseToBoundExclusive,
  TimeParseError,
} from '../domain/time.js';
import type { EventPort } from '../store/port.js';
import type { CursorCodec } from './page-cursor.js';
import type { Principal } from './permissions.js';
import { invalidParameter } from './problem.js';
import type { ListQuery } from './schemas/list.js';

export interface ListRequest {
  filter: EventFilter;
  order: SortOrder;
  perPage: number;
  cursor?: PageCursor;
  offset?: number;
  afterSeq?: number;
}

type FilterQuery = Omit<
  ListQuery,
  'order' | 'per_page' | 'cursor' | 'page' | 'after' | 'received_before' | 'tree_size'
>;

/** The filter part of a list or stream query, validated; errors name the parameter. */
export function parseFilter(query: FilterQuery, principal: Principal, now: number): EventFilter {
  const filter: EventFilter = {};
  const categories = splitList('category', query.category);
  if (categories.length) {
    const unknown = categories.find((category) => !isCategory(category));
    if (unknown !== undefined) throw invalidParameter('category', `unknown category "${unknown}"`);
    filter.categories = categories as Category[];
  }
  const actions = splitList('action', query.action);
  const exact = actions.filter((action) => !action.endsWith('*'));
  const prefixes = actions.filter((action) => action.endsWith('*')).map((action) => action.slice(0, -1));
  if (exact.length) filter.actions = exact;
  if (prefixes.length) filter.actionPrefixes = prefixes;
  if (filter.actionPrefixes?.some((prefix) => prefix === '' || prefix.includes('*'))) {
    throw invalidParameter('action', 'a wildcard must follow a prefix, as in tunnel.*');
  }
  if (query.actor === 'me') filter.self = { userId: principal.user.publicId, email: principal.user.email };
  else if (query.actor !== undefined) filter.actor = query.actor;
  assign(filter, 'actorId', query.actor_id);
  assign(filter, 'target', query.target);
  assign(filter, 'resource', query.resource);
  assign(filter, 'ip', query.ip);
  assign(filter, 'teamId', query.team_id);
  if (query.q !== undefined && query.q.trim() !== '') {
    // Only punctuation leaves no word to look for: no event matches, and that is no error.
    const words = searchPhrases(query.q).length;
    if (words > MAX_SEARCH_WORDS) throw invalidParameter('q', `at most ${MAX_SEARCH_WORDS} words`);
    filter.text = query.q;
  }
  if (query.since !== undefined && query.from !== undefined) {
    throw invalidParameter('since', 'give either since or from, not both');
  }
  if (query.from !== undefined) filter.from = parseTime('from', () => parseFromBound(query.from as string));
  if (query.since !== undefined)
    filter.from = now - parseTime('since', () => parseDurationMs(query.since as string));
  if (query.to !== undefined)
    filter.toExclusive = parseTime('to', () => parseToBoundExclusive(query.to as string));
  if (filter.from !== undefined && filter.toExclusive !== undefined && filter.from >= filter.toExclusive) {
    throw invalidParameter('to', 'is before from');
  }
  if (query.detailed) filter.detailed = true;
  return filter;
}

/** What a list query is read against: the caller, and the stores that resolve ids and cursors. */
export interface ListQueryContext {
  principal: Principal;
  scope: VisibilityScope;
  now: number;
  events: Pick<EventPort, 'findVisible'>;
  cursors: CursorCodec;
}

export async function parseListQuery(query: ListQuery, context: ListQueryContext): Promise<ListRequest> {
  const { principal, scope, events } = context;
  const orgId = principal.organization.id;
  const request: ListRequest = {
    filter: parseFilter(query, principal, context.now),
    order: query.order ?? 'desc',
    perPage: query.per_page ?? DEFAULT_PAGE_SIZE,
  };
  if (query.received_before !== undefined) {
    const instant = parseInstant(query.received_before);
    if (instant === undefined) {
      throw invalidParameter(
        'received_before',
        'expected an ISO 8601 time with an offset, like 2024-01-31T12:00:00Z',
      );
    }
    request.filter.receivedBefore = instant;
  }
  if (query.after !== undefined) {
    // An event the caller may not see is answered exactly like one that does not exist.
    const afterSeq = (await events.findVisible(orgId, query.after, scope))?.seq;
    if (afterSeq === undefined) throw invalidParameter('after', 'no event with that id');
    request.afterSeq = afterSeq;
  } else if (query.cursor !== undefined) {
    try {
      request.cursor = context.cursors.decode(orgId, query.cursor);
    } catch (error) {
      if (error instanceof CursorError) throw invalidParameter('cursor', error.message);
      throw error;
    }
    if (request.cursor.order !== request.order) {
      throw invalidParameter('cursor', `was made for order=${request.cursor.order}`);
    }
  } else if (query.page !== undefined) {
    request.offset = (query.page - 1) * request.perPage;
  }
  return request;
}

/** A list or stream request's weight in the rate limit: a search costs more per word (capped). */
export function searchRateCost(request: { query: unknown }): number {
  const q = (request.query as { q?: unknown } | undefined)?.q;
  const words = typeof q === 'string' ? searchPhrases(q).length : 0;
  return searchCost(Math.min(words, MAX_SEARCH_WORDS));
}

function splitList(param: string, values: string[] | undefined): string[] {
  const list = (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  if (list.length > MAX_LIST_VALUES) throw invalidParameter(param, `at most ${MAX_LIST_VALUES} values`);
  return list;
}

function assign<K extends keyof EventFilter>(filter: EventFilter, key: K, value: EventFilter[K] | undefined) {
  if (value !== undefined && value !== '') filter[key] = value;
}

function parseTime(param: string, parse: () => number): number {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TimeParseError) throw invalidParameter(param, error.message);
    throw error;
  }
}
