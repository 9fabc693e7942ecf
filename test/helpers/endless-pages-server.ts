/** Many synthetic pages for big tables and Ctrl-C tests, and a quiet event stream for tail. */
import { createServer } from 'node:http';

export interface EventPagesOptions {
  /** How many pages there are; Infinity for a server that always has more. */
  pages: number;
  perPage: number;
}

/**
 * A fake audit API that makes up `pages` pages of `perPage` events each (fewer when `per_page`
 * asks), page N+1 named by the cursor `N`: enough to list 200,000 events without ingesting them.
 * Every event is distinct (its id and time count down) and has every list column filled. Its
 * event stream stays open and sends nothing.
 */
export async function startEventPagesServer(options: EventPagesOptions) {
  let served = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.endsWith('/stream')) {
      // `audit tail` follows a stream that stays open and quiet.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': connected\n\n');
      return;
    }
    const page = Number(url.searchParams.get('cursor') ?? '0');
    const hasMore = page + 1 < options.pages;
    const count = Math.min(options.perPage, Number(url.searchParams.get('per_page') ?? options.perPage));
    const events: string[] = [];
    for (let index = 0; index < count; index += 1) {
      events.push(syntheticEvent(page * options.perPage + index));
    }
    served += 1;
    const pagination = { has_more: hasMore, next_cursor: hasMore ? String(page + 1) : null };
    const next = new URL(url);
    next.searchParams.set('cursor', String(page + 1));
    // As the real server does: the Link header lets the client ask for the next page early.
    const link = hasMore ? { link: `<${next.pathname}${next.search}>; rel="next"` } : {};
    response.writeHead(200, { 'content-type': 'application/json', ...link });
    response.end(`{"data":[${events.join(',')}],"pagination":${JSON.stringify(pagination)}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    /** Pages answered so far. */
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const START_MS = Date.parse('2024-06-30T23:59:59Z');

function syntheticEvent(n: number): string {
  const user = n % 500;
  return JSON.stringify({
    id: `log_${String(n).padStart(22, '0')}`,
    timestamp: new Date(START_MS - n * 1000).toISOString(),
    category: 'auth',
    action: n % 7 === 0 ? 'user.login_failed' : 'user.login',
    description: `Signed in to the admin console from the office network, attempt ${n}`,
    actor: { id: `user_${user}`, name: null, email: `user${user}@example.com`, type: 'user' },
    target: { type: 'tunnel', id: `tunnel_${user}`, name: `api-staging-${user}.example.net` },
    context: { ip_address: `203.0.113.${n % 250}`, user_agent: 'curl/8', team_id: null, team_name: null },
    changes: null,
    metadata: null,
  });
}
