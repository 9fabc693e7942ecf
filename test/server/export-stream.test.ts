import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import {
  EXPORT_CHUNK_MAX_BYTES,
  EXPORT_ROW_FIELDS,
  exportRowToEvent,
} from '../../src/domain/export-stream.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const EXPORT = '/api/v1/organizations/default/audit-logs/export';
const LIST = '/api/v1/organizations/default/audit-logs';

interface Parsed {
  head: { columns: string[]; received_before: string | null };
  chunks: { cursor: string; rows: unknown[][] }[];
  /** Each chunk line's `rows` JSON as sent (the line less its cursor). */
  rowTexts: string[];
  end: { end: true; count: number } | undefined;
  events: AuditEvent[];
}

function parseStream(body: string): Parsed {
  const lines = body.split('\n');
  expect(lines.pop()).toBe('');
  const [head, ...rest] = lines.map((line) => JSON.parse(line));
  const end = rest.at(-1)?.end === true ? rest.pop() : undefined;
  const rowTexts = lines.slice(1, 1 + rest.length).map((line) => line.slice(line.indexOf('"rows":') + 7, -1));
  return {
    head,
    chunks: rest,
    rowTexts,
    end,
    events: rest.flatMap((chunk) => chunk.rows.map(exportRowToEvent)),
  };
}

const CATEGORIES = ['auth', 'tunnel', 'billing', 'team'] as const;
const ACTIONS = {
  auth: ['user.login', 'user.logout'],
  tunnel: ['tunnel.created', 'tunnel.deleted'],
  billing: ['billing.invoice_paid'],
  team: ['team.member_added'],
};
const WORDS = ['alpha', 'bravo', 'charlie', 'delta'];
const JANUARY = Date.UTC(2024, 0, 1);

/** 2,500 events over January 2024, times repeating so that (ts, seq) ties are common. */
function januaryEvents(): EventInput[] {
  return Array.from({ length: 2500 }, (_, n) => {
    const category = CATEGORIES[n % 4] as (typeof CATEGORIES)[number];
    const actions = ACTIONS[category];
    return {
      action: actions[n % actions.length] as string,
      category,
      timestamp: new Date(JANUARY + (n % 1700) * 60_000).toISOString(),
      description: `${WORDS[n % 4]} ${WORDS[(n >> 2) % 4]}`,
      actor: { id: `user_${n % 7}`, email: `u${n % 7}@example.com`, name: `User ${n % 7}`, type: 'user' },
      target: n % 5 === 0 ? null : { type: 'tunnel', id: `t_${n % 11}`, name: `tunnel-${n % 11}` },
      context: { ip_address: `203.0.113.${n % 13}`, team_id: `team_${n % 3}`, team_name: `Team ${n % 3}` },
      metadata: { n, quote: '"\\\n', emoji: '👩‍💻' },
    };
  });
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
      const response = await fixture.request({ method: 'GET', url, token });
      expect(response.statusCode, response.body).toBe(200);
      const page: { data: AuditEvent[]; pagination: { next_cursor: string | null } } = response.json();
      events.push(...page.data);
      cursor = page.pagination.next_cursor;
    } while (cursor);
    return events;
  };

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
    const events = januaryEvents();
    for (let start = 0; start < events.length; start += 1000)
      await fixture.ingest(events.slice(start, start + 1000));
    // Mia, a member, did a few things too; an access event is hidden unless asked for.
    await fixture.ingest([
      { action: 'user.login', timestamp: '2024-01-02T00:00:00Z', actor: { email: 'mia@example.com' } },
      {
        action: 'access.page_viewed',
        timestamp: '2024-01-02T00:00:01Z',
        actor: { email: 'mia@example.com' },
      },
    ]);
    // The export pins received_before at the server's now, exclusive: a millisecond on, all is in.
    await new Promise((resolve) => setTimeout(resolve, 2));
  });
  afterAll(() => fixture.close());

  it('answers a head, chunks of at most 1000 rows and an end line with the count', async () => {
    const stream = await exportOf('from=2024-01-01&to=2024-01-31');
    expect(stream.head.columns).toEqual([...EXPORT_ROW_FIELDS]);
    expect(Date.parse(stream.head.received_before as string)).toBeLessThanOrEqual(Date.now());
    expect(stream.chunks.map((chunk) => chunk.rows.length)).toEqual([1000, 1000, 501]);
    expect(stream.end).toEqual({ end: true, count: 2501 });
    expect(stream.events).toEqual(await listAll('from=2024-01-01&to=2024-01-31'));
  });

  it('cuts a chunk of large events at about a megabyte, at least one row, and loses none', async () => {
    const big = 'x'.repeat(60_000);
    const events = Array.from({ length: 40 }, (_, n) => ({
      action: 'user.login',
      timestamp: new Date(Date.UTC(2025, 0, 1) + n).toISOString(),
      metadata: { big, n },
    }));
    await fixture.ingest(events.slice(0, 20));
    await fixture.ingest(events.slice(20));
    await new Promise((resolve) => setTimeout(resolve, 2));
    const stream = await exportOf('from=2025-01-01&to=2025-01-02');
    expect(stream.events.map((event) => event.metadata?.n)).toEqual(events.map((_, n) => n));
    expect(stream.chunks.length).toBeGreaterThan(1);
    const rowBytes = Buffer.byteLength(JSON.stringify(stream.chunks[0]?.rows[0]));
    for (const [index, text] of stream.rowTexts.entries()) {
      const bytes = Buffer.byteLength(text);
      // Each chunk stops within a row of the cap (the cap weighs rows by their stored lengths);
      // only the last is shorter.
      expect(bytes).toBeLessThan(EXPORT_CHUNK_MAX_BYTES + rowBytes);
      if (index < stream.rowTexts.length - 1)
        expect(bytes).toBeGreaterThan(EXPORT_CHUNK_MAX_BYTES - rowBytes);
    }
  });

  it('resumes after a chunk cursor with exactly the rest', async () => {
    const whole = await exportOf('from=2024-01-01&to=2024-02-01');
    const [first] = whole.chunks;
    const rest = await exportOf(
      `from=2024-01-01&to=2024-02-01&received_before=${whole.head.received_before}&cursor=${first?.cursor}`,
    );
    expect(rest.head.received_before).toBe(whole.head.received_before);
    expect([...(first?.rows ?? []).map(exportRowToEvent), ...rest.events]).toEqual(whole.events);
    expect(rest.end).toEqual({ end: true, count: whole.events.length - 1000 });
  });

  it("takes a list page's next_cursor (oldest first) as its cursor", async () => {
    const page = (await fixture.request({ method: 'GET', url: `${LIST}?order=asc&per_page=10` })).json();
    const rest = await exportOf(`cursor=${page.pagination.next_cursor}`);
    expect([...page.data, ...rest.events]).toEqual(await listAll(''));
  });

  it('pins received_before: events stored while it streams do not appear, even in later chunks', async () => {
    const { events } = fixture.app.services.sqlite;
    const orgId = fixture.app.services.sqlite.directory.findOrganization('default')?.id as number;
    const readChunk = events.exportChunk;
    let reads = 0;
    // Right after the first chunk is read, events land inside the range, past its cursor.
    events.exportChunk = (...args) => {
      const chunk = readChunk(...args);
      if (reads++ === 0)
        fixture.app.services.sqlite.recorder.record(orgId, [
          { action: 'tunnel.deleted', timestamp: '2024-01-31T00:00:00Z', metadata: { late: true } },
        ]);
      return chunk;
    };
    try {
      const stream = await exportOf('from=2024-01-01&to=2024-02-01');
      expect(reads).toBeGreaterThan(1);
      expect(stream.events.some((event) => event.metadata?.late)).toBe(false);
      expect(stream.end?.count).toBe(2501);
      const pinned = await listAll(
        `from=2024-01-01&to=2024-02-01&received_before=${stream.head.received_before}`,
      );
      expect(stream.events).toEqual(pinned);
    } finally {
      events.exportChunk = readChunk;
    }
    expect((await exportOf('from=2024-01-01&to=2024-02-01')).end?.count).toBe(2502);
  });

  it('pins by tree_size instead: exactly the events the list gives for that size, received_before null', async () => {
    const { services } = fixture.app;
    await services.sealer.settle({ signNow: true });
    const orgId = services.sqlite.directory.findOrganization('default')?.id as number;
    const size = services.sqlite.merkle.size(orgId) - 5;
    const stream = await exportOf(`tree_size=${size}&detailed=true`);
    expect(stream.head.received_before).toBeNull();
    expect(stream.events).toEqual(await listAll(`tree_size=${size}&detailed=true`));
    const member = await fixture.request({
      method: 'GET',
      url: `${EXPORT}?tree_size=${size}`,
      token: fixture.tokens.member,
    });
    expect(member.statusCode).toBe(403);
  });

  it('gives the events the list gives, for any filters', async () => {
    const filters: Record<string, fc.Arbitrary<string>> = {
      category: fc.subarray([...CATEGORIES, 'access'], { minLength: 1 }).map((list) => list.join(',')),
      action: fc.constantFrom('user.login', 'tunnel.*', 'user.login,tunnel.deleted', 'billing.*'),
      actor: fc.constantFrom('user_1', 'u2@example.com', 'User 3', 'mia@example.com', 'me'),
      actor_id: fc.constantFrom('user_4', 'user_5'),
      target: fc.constantFrom('t_1', 'tunnel-2'),
      resource: fc.constantFrom('Team 1', 't_3', 'u4@example.com'),
      ip: fc.constantFrom('203.0.113.1', '203.0.113.12'),
      team_id: fc.constantFrom('team_0', 'team_2'),
      q: fc.constantFrom('alpha', 'bravo charlie', 'delta'),
      from: fc.integer({ min: 0, max: 1700 }).map((m) => new Date(JANUARY + m * 60_000).toISOString()),
      to: fc.constantFrom('2024-01-01', '2024-01-02', '2024-02-01'),
      detailed: fc.constant('true'),
    };
    // Up to three filters at once: more would leave almost every answer empty.
    const query = fc
      .uniqueArray(fc.constantFrom(...Object.keys(filters)), { minLength: 1, maxLength: 3 })
      .chain((keys) =>
        fc.tuple(...keys.map((key) => (filters[key] as fc.Arbitrary<string>).map((value) => [key, value]))),
      )
      .map((pairs) => new URLSearchParams(pairs as [string, string][]).toString());
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(query, async (filters) => {
        // A query the list refuses, the export refuses the same way, before any 200.
        const list = await fixture.request({ method: 'GET', url: `${LIST}?${filters}` });
        if (list.statusCode !== 200) {
          const refused = await fixture.request({ method: 'GET', url: `${EXPORT}?${filters}` });
          expect([refused.statusCode, refused.json().param]).toEqual([list.statusCode, list.json().param]);
          return;
        }
        const stream = await exportOf(filters);
        expect(stream.events).toEqual(await listAll(filters));
        expect(stream.end?.count).toBe(stream.events.length);
        if (stream.events.length > 0) nonEmpty++;
      }),
      { numRuns: 40, seed: 24 },
    );
    expect(nonEmpty).toBeGreaterThan(20);
  });

  it('answers HEAD with the headers alone, reading no more than the first chunk', async () => {
    const { events } = fixture.app.services.sqlite;
    const readChunk = events.exportChunk;
    let reads = 0;
    events.exportChunk = (...args) => {
      reads++;
      return readChunk(...args);
    };
    try {
      const response = await fixture.request({ method: 'HEAD', url: EXPORT });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(response.body).toBe('');
      expect(reads).toBe(1);
    } finally {
      events.exportChunk = readChunk;
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
      ['tree_size=-1', 'tree_size'],
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

  describe('hostile callers', () => {
    it("a member cannot export another member's events through the stream", async () => {
      const stream = await exportOf('detailed=true', fixture.tokens.member);
      expect(stream.events.map((event) => event.actor?.email)).toEqual([
        'mia@example.com',
        'mia@example.com',
      ]);
      // Not even by naming someone else as the actor.
      expect((await exportOf('actor=user_1', fixture.tokens.member)).events).toEqual([]);
    });

    it('an ingest-only token cannot read through the stream', async () => {
      const response = await fixture.request({ method: 'GET', url: EXPORT, token: fixture.tokens.ingest });
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });

    it("another organization's cursor is refused, and its owner cannot export this organization", async () => {
      await fixture.ingest(
        [
          { action: 'user.login', actor: { id: 'o1' } },
          { action: 'user.login', actor: { id: 'o2' } },
        ].map((event) => ({ ...event, timestamp: '2024-01-01T00:00:00Z' })),
      );
      const other = await fixture.request({
        method: 'POST',
        url: '/api/v1/organizations/other/audit-logs',
        payload: { events: [{ action: 'user.login' }, { action: 'user.login' }] },
        token: fixture.tokens.otherOrg,
      });
      expect(other.statusCode).toBe(201);
      const page = (
        await fixture.request({
          method: 'GET',
          url: '/api/v1/organizations/other/audit-logs?order=asc&per_page=1',
          token: fixture.tokens.otherOrg,
        })
      ).json();
      const foreign = await fixture.request({
        method: 'GET',
        url: `${EXPORT}?cursor=${page.pagination.next_cursor}`,
      });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().param).toBe('cursor');
      const trespass = await fixture.request({ method: 'GET', url: EXPORT, token: fixture.tokens.otherOrg });
      expect(trespass.statusCode).toBe(404);
    });
  });
});
