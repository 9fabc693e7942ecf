import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { EXPORT_ROW_FIELDS, exportRowToEvent } from '../../src/domain/export-stream.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const EXPORT = '/api/v1/organizations/default/audit-logs/export';
const LIST = '/api/v1/organizations/default/audit-logs';

interface Parsed {
  head: { columns: string[]; received_before: string | null };
  chunks: { cursor: string; rows: unknown[][] }[];
  end: { end: true; count: number } | undefined;
  events: AuditEvent[];
}

function parseStream(body: string): Parsed {
  const lines = body.split('\n');
  expect(lines.pop()).toBe('');
  const [head, ...rest] = lines.map((line) => JSON.parse(line));
  const last = rest.at(-1);
  const end = last?.end === true ? rest.pop() : undefined;
  return { head, chunks: rest, end, events: rest.flatMap((chunk) => chunk.rows.map(exportRowToEvent)) };
}

describe('GET audit-logs/export', () => {
  let fixture: Fixture;
  const exportOf = async (query: string, token?: string) => {
    const response = await fixture.request({ method: 'GET', url: `${EXPORT}?${query}`, token });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    return parseStream(response.body);
  };
  const listAll = async (query: string, token?: string) => {
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${LIST}?order=asc&per_page=1000&${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { data: AuditEvent[]; pagination: { next_cursor: string | null } } = (
        await fixture.request({ method: 'GET', url, token })
      ).json();
      events.push(...page.data);
      cursor = page.pagination.next_cursor;
    } while (cursor);
    return events;
  };

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
    const events: EventInput[] = Array.from({ length: 2500 }, (_, n) => ({
      action: n % 3 === 0 ? 'tunnel.created' : 'user.login',
      timestamp: new Date(Date.UTC(2024, 0, 1) + (n % 1700) * 60_000).toISOString(),
      actor: { id: `user_${n % 7}`, email: `u${n % 7}@example.com` },
      metadata: { n },
    }));
    for (let start = 0; start < events.length; start += 1000)
      await fixture.ingest(events.slice(start, start + 1000));
    await new Promise((resolve) => setTimeout(resolve, 2));
  });
  afterAll(() => fixture.close());

  it('answers a head, chunks of at most 1000 rows and an end line with the count', async () => {
    const stream = await exportOf('from=2024-01-01&to=2024-01-31');
    expect(stream.head.columns).toEqual([...EXPORT_ROW_FIELDS]);
    expect(Date.parse(stream.head.received_before as string)).toBeLessThanOrEqual(Date.now());
    expect(stream.chunks.map((chunk) => chunk.rows.length)).toEqual([1000, 1000, 500]);
    expect(stream.end).toEqual({ end: true, count: 2500 });
    expect(stream.events).toEqual(await listAll('from=2024-01-01&to=2024-01-31'));
  });

  it('resumes after a chunk cursor with exactly the rest', async () => {
    const whole = await exportOf('from=2024-01-01');
    const [first] = whole.chunks;
    const rest = await exportOf(
      `from=2024-01-01&received_before=${whole.head.received_before}&cursor=${first?.cursor}`,
    );
    expect(rest.head.received_before).toBe(whole.head.received_before);
    expect([...(first?.rows ?? []).map(exportRowToEvent), ...rest.events]).toEqual(whole.events);
    expect(rest.end).toEqual({ end: true, count: whole.events.length - 1000 });
  });

  it("takes a list page's next_cursor (oldest first) as its cursor", async () => {
    const page = (await fixture.request({ method: 'GET', url: `${LIST}?order=asc&per_page=10` })).json();
    const rest = await exportOf(`cursor=${page.pagination.next_cursor}`);
    const all = await listAll('');
    expect([...page.data, ...rest.events]).toEqual(all);
  });

  it('gives the events the list gives for the same filters', async () => {
    for (const query of [
      'action=tunnel.created',
      'actor=user_3',
      'action=user.*&from=2024-01-01T10:00:00Z&to=2024-01-01T20:00:00Z',
      'category=auth,tunnel&actor_id=user_1',
    ]) {
      const stream = await exportOf(query);
      expect(stream.events, query).toEqual(await listAll(query));
      expect(stream.end?.count, query).toBe(stream.events.length);
    }
  });

  it('answers an empty range with the head and an end line of count 0', async () => {
    const body = (await fixture.request({ method: 'GET', url: `${EXPORT}?from=2030-01-01&to=2030-01-02` }))
      .body;
    const lines = body.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] as string)).toEqual({ end: true, count: 0 });
  });

  it.each(['order=asc', 'per_page=100', 'page=2', 'after=log_01'])(
    'refuses the list parameter %s with a 400 naming it, before any 200',
    async (query) => {
      const response = await fixture.request({ method: 'GET', url: `${EXPORT}?${query}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().param).toBe(query.split('=')[0]);
    },
  );

  it('refuses a bad filter or a malformed cursor with a 400 problem naming it', async () => {
    for (const [query, param] of [
      ['from=yesterday', 'from'],
      ['category=nonsense', 'category'],
      ['cursor=not-a-cursor', 'cursor'],
      ['received_before=2024-13-01', 'received_before'],
      ['unknown=1', 'unknown'],
    ]) {
      const response = await fixture.request({ method: 'GET', url: `${EXPORT}?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().param, query).toBe(param);
    }
  });

  it('refuses a cursor made for a newest-first list', async () => {
    const page = (await fixture.request({ method: 'GET', url: `${LIST}?per_page=10` })).json();
    const response = await fixture.request({
      method: 'GET',
      url: `${EXPORT}?cursor=${page.pagination.next_cursor}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().param).toBe('cursor');
  });
});
