import { jsonAnswer } from './answer.js';
import type { Answer } from './http.js';
import { nextCursorOfLink } from './link-header.js';
import type { EventPage, ListParams } from './types.js';

/**
 * Every page: follows `next_cursor` (or, when polling with `after`, the last id) until the end.
 * With `ahead`, the next page is asked for as soon as this one's Link header names it, before
 * this one is parsed, so the server makes it while this client parses and writes (about a
 * fifth off a long export). Only for a caller that reads every page: a caller that stops early
 * would have had one page made for nothing.
 */
export async function* walkPages(
  params: ListParams,
  fetchPage: (params: ListParams) => Promise<Answer>,
  ahead: boolean,
): AsyncGenerator<EventPage> {
  let current = params;
  let answer = fetchPage(current);
  for (;;) {
    const response = await answer;
    const hinted = ahead ? nextCursorOfLink(response.headers.link) : undefined;
    const early = hinted === undefined ? undefined : fetchPage({ ...current, cursor: hinted });
    if (early) {
      // A failure of the page asked for early surfaces when it is awaited, not as unhandled.
      early.catch(() => undefined);
      // undici writes the request on a later turn of the event loop: let it go out now,
      // not after this page has been parsed and the caller has written it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const page = jsonAnswer(response, 'page') as EventPage;
    yield page;
    const { has_more: hasMore, next_cursor: nextCursor } = page.pagination;
    const lastId = page.data.at(-1)?.id;
    if (!hasMore) return;
    if (nextCursor) current = { ...current, cursor: nextCursor };
    else if (current.after !== undefined && lastId) current = { ...current, after: lastId };
    else return;
    // The body is what counts: a Link header that named another page is not followed.
    answer = early && nextCursor === hinted ? early : fetchPage(current);
  }
}
