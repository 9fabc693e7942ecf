/**
 * A stand-in for the audit API's list route when a test needs many events without ingesting them:
 * `GET …/audit-logs` answers `pages` pages of `perPage` synthetic events (cursor = the next page's
 * number), and `POST …/exports` answers as the server records an export. Everything else is 404.
 */
import { createServer } from 'node:http';
import { CATEGORIES } from '../../src/domain/categories.js';
import type { AuditEvent } from '../../src/domain/event.js';

const ACTIONS = ['user.login', 'tunnel.deleted', 'team.member_role_changed', 'billing.payment_failed'];
const START = Date.parse('2024-01-01T00:00:00Z');

/** The `n`th synthetic event: a minute apart, every fifth with a longer description. */
export function syntheticEvent(n: number): AuditEvent {
  const at = new Date(START + n * 60_000).toISOString();
  return {
    id: `log_${String(n).padStart(26, '0')}`,
    timestamp: at,
    category: CATEGORIES[n % CATEGORIES.length] ?? 'auth',
    action: ACTIONS[n % ACTIONS.length] as string,
    description: n % 5 === 0 ? `line one, "quoted" line two #${n}` : `Event number ${n}`,
    actor: { id: `user_${n % 50}`, name: `User ${n % 50}`, email: `user${n % 50}@example.com`, type: 'user' },
    target: n % 2 === 0 ? { type: 'tunnel', id: `tunnel_${n}`, name: `api-${n}.example.net` } : null,
    context:
      n % 3 === 0 ? { ip_address: '203.0.113.7', user_agent: 'x', team_id: null, team_name: null } : null,
    changes: null,
    metadata: null,
  };
}

export async function startEventPagesServer(options: { pages: number; perPage: number }) {
  const { pages, perPage } = options;
  const bodies = new Map<number, string>();
  const pageBody = (page: number) => {
    let body = bodies.get(page);
    if (body === undefined) {
      const data = Array.from({ length: perPage }, (_, index) => syntheticEvent(page * perPage + index));
      const more = page + 1 < pages;
      body = JSON.stringify({
        data,
        pagination: { per_page: perPage, next_cursor: more ? String(page + 1) : null, has_more: more },
      });
      bodies.set(page, body);
    }
    return body;
  };
  const requests: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url);
    request.resume();
    if (request.method === 'GET' && url.pathname.endsWith('/audit-logs')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(pageBody(Number(url.searchParams.get('cursor') ?? 0)));
    } else if (request.method === 'POST' && url.pathname.endsWith('/exports')) {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { ...syntheticEvent(0), action: 'audit.exported' } }));
    } else {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    events: pages * perPage,
    /** Every request's URL, in order. */
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
