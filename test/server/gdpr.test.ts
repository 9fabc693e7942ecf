import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

const GDPR = '/api/v1/organizations/default/gdpr';
const LOGS = '/api/v1/organizations/default/audit-logs';

// Unusual strings, so a hit in the database files can only be the subject's data.
const EMAIL = 'zebulon.quixtrot@example.com';
const NAME = 'Zebulon Quixtrot';
const IP = '198.51.100.213';
const AGENT = 'QuixtrotBrowser/9.1';

const SUBJECT_EVENTS: EventInput[] = [
  {
    action: 'user.login',
    actor: { id: 'user_zq', name: NAME, email: EMAIL, type: 'user' },
    context: { ip_address: IP, user_agent: AGENT },
  },
  {
    action: 'tunnel.deleted',
    actor: { id: 'user_zq', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_1', name: 'zq-preview.example.net' },
    context: { ip_address: IP, user_agent: AGENT },
  },
  {
    action: 'team.member_role_changed',
    actor: { id: 'user_admin', name: 'Ada Admin', email: 'ada@example.com', type: 'user' },
    target: { type: 'user', id: 'user_zq', name: NAME },
    changes: { role: { old: 'member', new: 'admin' } },
  },
  {
    action: 'team.member_invited',
    actor: { id: 'user_admin', name: 'Ada Admin', email: 'ada@example.com', type: 'user' },
    metadata: { invitee: EMAIL, note: `welcome ${NAME}!` },
  },
];

// The person as the owner confirms them after a dry run: email, the id and name events pair with it.
const SUBJECT = { user: EMAIL, identifiers: ['user_zq'], names: [NAME] };

const OTHER_EVENTS: EventInput[] = [
  {
    action: 'user.login',
    actor: { id: 'user_other', name: 'Olive Other', email: 'olive@example.com', type: 'user' },
    context: { ip_address: '203.0.113.9', user_agent: 'Mozilla/5.0' },
  },
  { action: 'billing.payment_failed', metadata: { reason: 'Card declined' } },
];

describe('GDPR export and erasure', () => {
  let fixture: Fixture;
  const post = (path: string, payload: object, token?: string) =>
    fixture.request({ method: 'POST', url: `${GDPR}/${path}`, payload, token });
  const rawRows = () =>
    fixture.db
      .prepare('SELECT * FROM events WHERE actor_id = ? OR action = ? ORDER BY seq')
      .all('user_other', 'billing.payment_failed');

  beforeEach(async () => {
    fixture = await createFixture();
    await fixture.ingest([...SUBJECT_EVENTS, ...OTHER_EVENTS]);
  });
  afterEach(() => fixture.close());

  it('exports every event in which the person appears, by the identifiers the requester confirms, with a summary', async () => {
    // By email alone: the events that carry the email; the id beside it is only a candidate.
    const byEmail = (await post('exports', { user: EMAIL })).json();
    expect(byEmail.data.map((event: AuditEvent) => event.action).sort()).toEqual([
      'team.member_invited',
      'user.login',
    ]);
    expect(byEmail.summary.candidates).toMatchObject({ ids: ['user_zq'], names: [NAME] });

    const expected = ['team.member_invited', 'team.member_role_changed', 'tunnel.deleted', 'user.login'];
    // Each request is itself recorded, naming the person, so the next one finds that too.
    for (const [payload, actions] of [
      [{ user: EMAIL, identifiers: ['user_zq'] }, [...expected, 'gdpr.export_requested']],
      [
        { user: 'user_zq', identifiers: [EMAIL] },
        [...expected, 'gdpr.export_requested', 'gdpr.export_requested'],
      ],
    ] as const) {
      const response = await post('exports', payload);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.data.map((event: AuditEvent) => event.action).sort()).toEqual([...actions].sort());
      expect(body.summary).toMatchObject({ count: actions.length, by_category: { auth: 1, tunnel: 1 } });
      expect(body.summary.identities).toMatchObject({ ids: ['user_zq'], emails: [EMAIL] });
    }
    const recorded = await fixture.request({ method: 'GET', url: `${LOGS}?action=gdpr.export_requested` });
    expect(recorded.json().data).toHaveLength(3);
  });

  it("writes the subject's events as JSON.stringify would, byte for byte, hostile text included", async () => {
    await fixture.ingest([
      {
        action: 'user.login',
        timestamp: '1999-12-31T23:59:59.999Z',
        description: 'quote " backslash \\ newline \n nul \u0000 bell \u0007 \u2028 \u202e 👩‍💻',
        actor: { id: 'user_zq', name: 'Zoë 山田', type: 'user' },
        metadata: {
          nested: { list: [1, 'two', null, true, { deep: [] }] },
          big: 1e21,
          small: 1e-7,
          esc: '\u001b[31m',
        },
      },
    ]);
    const response = await post('exports', { user: 'user_zq' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { data: AuditEvent[]; summary: Record<string, unknown> };
    // Today's document was JSON.stringify of each event and of the summary, joined: its bytes
    // are those of JSON.stringify of the whole.
    expect(response.body).toBe(JSON.stringify(document));
    expect(Object.keys(document.summary).slice(0, 4)).toEqual(['count', 'by_category', 'first', 'last']);
    expect(document.summary.first).toBe('1999-12-31T23:59:59.999Z');
    const timestamps = document.data.map((event) => event.timestamp).sort();
    expect(document.summary.last).toBe(timestamps.at(-1));
    for (const event of document.data) {
      const stored = await fixture.request({ method: 'GET', url: `${LOGS}/${event.id}` });
      expect(event).toEqual(stored.json().data);
    }
  });

  itOnSqlite(
    'erases name, email, IP and user agent everywhere, keeps the events, leaves others byte for byte',
    async () => {
      const before = rawRows();
      const dry = await post('erasures', { ...SUBJECT, dry_run: true });
      expect(dry.json().data).toMatchObject({ events_matched: 4, events_changed: 4, dry_run: true });
      expect(JSON.stringify(fixture.db.prepare('SELECT * FROM events').all())).toContain(EMAIL);

      const erased = await post('erasures', SUBJECT);
      expect(erased.statusCode).toBe(200);
      const report = erased.json().data;
      expect(report).toMatchObject({ events_matched: 4, events_changed: 4, dry_run: false });
      expect(report.pseudonym).toMatch(/^erased-user-[0-9a-f]{8}$/);

      const all = (await fixture.request({ method: 'GET', url: `${LOGS}?per_page=1000` })).json()
        .data as AuditEvent[];
      const login = all.find((event) => event.actor?.id === 'user_zq' && event.action === 'user.login');
      expect(login?.actor).toMatchObject({ name: report.pseudonym, email: report.pseudonym });
      expect(login?.context).toMatchObject({ ip_address: report.pseudonym, user_agent: report.pseudonym });
      const invited = all.find((event) => event.action === 'team.member_invited');
      expect(invited?.metadata).toEqual({ invitee: report.pseudonym, note: `welcome ${report.pseudonym}!` });
      expect(all.filter((event) => event.action === 'gdpr.user_erased')).toHaveLength(1);
      expect(JSON.stringify(all)).not.toMatch(/zebulon|quixtrot|198\.51\.100\.213/i);
      expect(rawRows()).toEqual(before);

      // Nothing left in the database files: main file, WAL, index segments, free pages.
      for (const file of [fixture.dbFile, `${fixture.dbFile}-wal`]) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          continue;
        }
        for (const needle of [EMAIL, NAME, 'quixtrot', 'zebulon', IP, AGENT]) {
          expect(bytes.includes(Buffer.from(needle)), `${needle} in ${file}`).toBe(false);
        }
      }
      const search = await fixture.request({ method: 'GET', url: `${LOGS}?q=quixtrot` });
      expect(search.json().data).toEqual([]);
    },
  );

  it('maps a person to the same pseudonym every time and reports zero changes the second time', async () => {
    const first = (await post('erasures', SUBJECT)).json().data;
    expect(first.events_changed).toBe(4);
    for (const user of ['user_zq', EMAIL]) {
      const again = (await post('erasures', { user })).json().data;
      expect(again.pseudonym).toBe(first.pseudonym);
      expect(again.events_changed).toBe(0);
    }
  });

  itOnSqlite('lets only owners erase, and owners or admins export', async () => {
    expect((await post('erasures', { user: EMAIL }, fixture.tokens.admin)).statusCode).toBe(403);
    expect((await post('erasures', { user: EMAIL }, fixture.tokens.member)).statusCode).toBe(403);
    expect((await post('erasures', { user: EMAIL }, fixture.tokens.ingest)).statusCode).toBe(403);
    expect((await post('exports', { user: EMAIL }, fixture.tokens.admin)).statusCode).toBe(200);
    expect((await post('exports', { user: EMAIL }, fixture.tokens.teamAdmin)).statusCode).toBe(403);
    expect((await post('exports', { user: EMAIL }, fixture.tokens.member)).statusCode).toBe(403);
    expect((await post('exports', {})).statusCode).toBe(400);
    expect(JSON.stringify(fixture.db.prepare('SELECT * FROM events').all())).toContain(EMAIL);
  });

  it('weighs a GDPR request as ten in the rate limit: a burst of whole-log reads runs out quickly', async () => {
    const limited = await createFixture({ rateLimitPerMinute: 25 });
    try {
      const ask = () => limited.request({ method: 'POST', url: `${GDPR}/exports`, payload: { user: EMAIL } });
      const first = await ask();
      expect(first.statusCode).toBe(200);
      expect(first.headers['ratelimit-remaining']).toBe('15');
      expect((await ask()).statusCode).toBe(200);
      const third = await ask();
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
