import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';

const SAMPLE: EventInput[] = [
  {
    action: 'user.login',
    timestamp: '2024-01-01T09:00:00.000Z',
    actor: { id: 'user_a', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
    context: { ip_address: '203.0.113.42', team_id: 'team_eng', team_name: 'Engineering' },
  },
  {
    action: 'user.login_failed',
    timestamp: '2024-01-02T10:00:00.000Z',
    actor: { email: 'bob@example.com', type: 'user' },
    context: { ip_address: '198.51.100.77' },
    metadata: { reason: 'invalid_password' },
  },
  {
    action: 'tunnel.deleted',
    timestamp: '2024-01-15T14:32:18.123Z',
    actor: { id: 'user_a', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_xyz789', name: 'api-staging.example.net' },
    context: { ip_address: '203.0.113.42', team_id: 'team_eng', team_name: 'Engineering' },
    metadata: { reason: 'No longer needed for testing' },
  },
  {
    action: 'tunnel.created',
    timestamp: '2024-01-31T23:59:59.999Z',
    actor: { id: 'user_b', name: 'Bob Martinez', email: 'bob@example.com', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_new', name: 'demo.example.net' },
    context: { team_id: 'team_ops', team_name: 'Platform' },
  },
  {
    action: 'billing.payment_failed',
    timestamp: '2024-02-01T00:00:00.000Z',
    actor: { type: 'system', name: 'System' },
    metadata: { reason: 'Card declined', amount: 'EUR 49' },
  },
  {
    action: 'access.page_viewed',
    timestamp: '2024-01-20T12:00:00.000Z',
    actor: { id: 'user_a', type: 'user' },
  },
];

const ids = (response: { json(): { data: AuditEvent[] } }) =>
  response.json().data.map((event) => event.action);

describe('GET audit-logs (list, filter, search, paginate)', () => {
  let fixture: Fixture;
  const get = (query: string, token?: string) =>
    fixture.request({ method: 'GET', url: `${URL}?${query}`, token });

  beforeAll(async () => {
    fixture = await createFixture();
    await fixture.ingest(SAMPLE);
  });
  afterAll(() => fixture.close());

  it('filters by category, one or many, comma-separated or repeated', async () => {
    expect(ids(await get('category=billing'))).toEqual(['billing.payment_failed']);
    expect(ids(await get('category=billing,auth&from=2024-01-01'))).toEqual([
      'billing.payment_failed',
      'user.login_failed',
      'user.login',
    ]);
    expect(ids(await get('category=billing&category=auth&from=2024-01-01'))).toHaveLength(3);
  });

  it('filters by action, exact or by prefix', async () => {
    expect(ids(await get('action=tunnel.deleted'))).toEqual(['tunnel.deleted']);
    expect(ids(await get('action=tunnel.*'))).toEqual(['tunnel.created', 'tunnel.deleted']);
    expect(ids(await get('action=tunnel.*,user.login'))).toEqual([
      'tunnel.created',
      'tunnel.deleted',
      'user.login',
    ]);
  });

  it('filters by actor (id, email or name), actor_id, target, resource, ip and team', async () => {
    expect(ids(await get('actor=user_a'))).toEqual(['tunnel.deleted', 'user.login']);
    expect(ids(await get('actor=ALICE@example.com'))).toEqual(['tunnel.deleted', 'user.login']);
    expect(ids(await get('actor=Bob%20Martinez'))).toEqual(['tunnel.created']);
    expect(ids(await get('actor_id=user_b'))).toEqual(['tunnel.created']);
    expect(ids(await get('target=api-staging.example.net'))).toEqual(['tunnel.deleted']);
    expect(ids(await get('target=tunnel_new'))).toEqual(['tunnel.created']);
    // The fixture's own team.member_added events (now) name the team too; the date keeps them out.
    expect(ids(await get('resource=Platform&to=2024-12-31'))).toEqual(['tunnel.created']);
    expect(ids(await get('resource=bob@example.com'))).toEqual(['tunnel.created', 'user.login_failed']);
    expect(ids(await get('ip=198.51.100.77'))).toEqual(['user.login_failed']);
    expect(ids(await get('team_id=team_eng'))).toEqual(['tunnel.deleted', 'user.login']);
  });

  it('searches free text across actor, action, target, IP, description and metadata', async () => {
    expect(ids(await get('q=declined'))).toEqual(['billing.payment_failed']);
    expect(ids(await get('q=api-staging'))).toEqual(['tunnel.deleted']);
    expect(ids(await get('q=203.0.113'))).toEqual(['tunnel.deleted', 'user.login']);
    expect(ids(await get('q=alice%20tunnel'))).toEqual(['tunnel.deleted']);
    expect(ids(await get('q=invalid_pass'))).toEqual(['user.login_failed']);
  });

  it('never fails on FTS syntax in free text', async () => {
    for (const q of [
      '"',
      'AND OR NOT',
      '(((',
      'NEAR(a b',
      '*',
      'a:b',
      "'; DROP TABLE events; --",
      '\u0000',
    ]) {
      const response = await get(`q=${encodeURIComponent(q)}`);
      expect([200, 400]).toContain(response.statusCode);
    }
  });

  it('takes dates as whole UTC days and instants as they are', async () => {
    expect(ids(await get('from=2024-01-31&to=2024-01-31'))).toEqual(['tunnel.created']);
    expect(ids(await get('from=2024-01-02&to=2024-01-15'))).toEqual(['tunnel.deleted', 'user.login_failed']);
    expect(ids(await get('from=2024-01-15T14:32:18.123Z&to=2024-01-15T14:32:18.123Z'))).toEqual([
      'tunnel.deleted',
    ]);
    expect(ids(await get('to=2024-01-01T09:00:00%2B01:00'))).toEqual([]);
  });

  it('hides access events unless detailed mode asks for them', async () => {
    expect(ids(await get('from=2024-01-20&to=2024-01-20'))).toEqual([]);
    expect(ids(await get('from=2024-01-20&to=2024-01-20&detailed=true'))).toEqual(['access.page_viewed']);
    expect(ids(await get('category=access'))).toEqual(['access.page_viewed']);
  });

  it('answers bad parameters with a problem naming the parameter', async () => {
    for (const [query, param] of [
      ['from=yesterday', 'from'],
      ['to=2024-02-30', 'to'],
      ['since=forever', 'since'],
      ['category=nope', 'category'],
      ['per_page=0', 'per_page'],
      ['per_page=1001', 'per_page'],
      ['order=sideways', 'order'],
      ['cursor=garbage', 'cursor'],
      ['after=log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E', 'after'],
      ['from=2024-02-01&to=2024-01-01', 'to'],
    ]) {
      const response = await get(query as string);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().param, query).toContain(param);
    }
  });

  it('names a misspelt filter exactly, so its sender sees which parameter is unknown', async () => {
    const response = await get('catgory=auth');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ param: 'catgory', detail: 'catgory: is not a known parameter' });
  });

  it('orders newest first by default, oldest first with order=asc', async () => {
    const desc = ids(await get('from=2024-01-01&to=2024-02-01'));
    const asc = ids(await get('from=2024-01-01&to=2024-02-01&order=asc'));
    expect(desc[0]).toBe('billing.payment_failed');
    expect(asc).toEqual([...desc].reverse());
  });
});

describe('pagination', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture();
    const base = Date.parse('2024-03-01T00:00:00Z');
    // Pairs share a timestamp, so the keyset must break ties by position.
    const events = Array.from({ length: 250 }, (_, index) => ({
      action: 'review.completed',
      timestamp: new Date(base + Math.floor(index / 2) * 1000).toISOString(),
      metadata: { n: index },
    }));
    await fixture.ingest(events);
  });
  afterAll(() => fixture.close());

  it('follows cursors through every event exactly once, with a Link header until the end', async () => {
    for (const order of ['desc', 'asc']) {
      const seen: number[] = [];
      let url: string | undefined = `${URL}?action=review.completed&per_page=40&order=${order}`;
      let pages = 0;
      while (url) {
        const response = await fixture.request({ method: 'GET', url });
        const body = response.json();
        seen.push(...body.data.map((event: AuditEvent) => Number(event.metadata?.n)));
        pages++;
        expect(body.pagination.has_more).toBe(body.pagination.next_cursor !== null);
        const link = response.headers.link as string | undefined;
        expect(Boolean(link)).toBe(body.pagination.has_more);
        url = link ? /<([^>]+)>; rel="next"/.exec(link)?.[1] : undefined;
      }
      expect(pages).toBe(7);
      expect(new Set(seen).size).toBe(250);
      const sorted = [...seen].sort((a, b) => a - b);
      expect(seen).toEqual(order === 'asc' ? sorted : sorted.reverse());
    }
  });

  it('keeps cursor pages stable while new events arrive', async () => {
    const first = await fixture.request({
      method: 'GET',
      url: `${URL}?action=review.completed&per_page=100`,
    });
    await fixture.ingest([{ action: 'review.completed', metadata: { n: 'new' } }]);
    const second = await fixture.request({
      method: 'GET',
      url: `${URL}?action=review.completed&per_page=100&cursor=${first.json().pagination.next_cursor}`,
    });
    const firstIds = new Set(first.json().data.map((event: AuditEvent) => event.id));
    expect(second.json().data.some((event: AuditEvent) => firstIds.has(event.id))).toBe(false);
    expect(second.json().data[0].metadata.n).toBe(149);
  });

  it('supports page numbers for compatibility', async () => {
    const page2 = await fixture.request({
      method: 'GET',
      url: `${URL}?action=review.completed&order=asc&page=2&per_page=100`,
    });
    expect(page2.json().data[0].metadata.n).toBe(100);
    expect(page2.json().data).toHaveLength(100);
  });

  it('returns events ingested after a given id, oldest first', async () => {
    const all = await fixture.request({
      method: 'GET',
      url: `${URL}?action=review.completed&order=asc&per_page=10`,
    });
    const tenth = all.json().data[9];
    const after = await fixture.request({
      method: 'GET',
      url: `${URL}?action=review.completed&after=${tenth.id}&per_page=5`,
    });
    expect(after.json().data.map((event: AuditEvent) => event.metadata?.n)).toEqual([10, 11, 12, 13, 14]);
    expect(after.headers.link).toContain(`after=${after.json().data[4].id}`);
  });
});
