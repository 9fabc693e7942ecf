import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

const GDPR = '/api/v1/organizations/default/gdpr';
const LOGS = '/api/v1/organizations/default/audit-logs';

describe('GDPR erasure: what it learns from events cannot be turned against others', () => {
  let fixture: Fixture;
  const erase = (payload: object) => fixture.request({ method: 'POST', url: `${GDPR}/erasures`, payload });
  const events = async () =>
    (await fixture.request({ method: 'GET', url: `${LOGS}?per_page=1000` })).json().data as AuditEvent[];

  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  it("a forged user agent that is another customer's order id cannot rewrite their event", async () => {
    await fixture.ingest(
      [
        { action: 'auth.login', actor: { id: 'u_bob' }, context: { user_agent: 'order_12345' } },
        {
          action: 'order.placed',
          actor: { id: 'u_carol', name: 'Carol' },
          target: { type: 'order', id: 'order_12345', name: 'Carol order' },
          context: { team_id: 'order_12345' },
          metadata: { order: 'order_12345' },
        },
      ],
      fixture.tokens.ingest,
    );
    const dry = (await erase({ user: 'u_bob', dry_run: true })).json().data;
    expect(dry.subject.user_agents).toEqual([]);
    expect((await erase({ user: 'u_bob' })).statusCode).toBe(200);
    const carol = (await events()).find((event) => event.action === 'order.placed') as AuditEvent;
    expect(carol.target?.id).toBe('order_12345');
    expect(carol.context?.team_id).toBe('order_12345');
    expect(carol.metadata).toEqual({ order: 'order_12345' });
  });

  it("a learned user agent or IP address is never erased from another event's id fields", async () => {
    await fixture.ingest(
      [
        {
          action: 'auth.login',
          actor: { id: 'u_bob' },
          context: { ip_address: '198.51.100.7', user_agent: 'Probe/1.0' },
        },
        {
          action: 'host.checked',
          actor: { id: 'u_carol' },
          target: { type: 'host', id: '198.51.100.7', name: 'edge' },
          context: { team_id: 'Probe/1.0' },
          description: 'checked by Probe/1.0 from 198.51.100.7',
        },
      ],
      fixture.tokens.ingest,
    );
    const report = (await erase({ user: 'u_bob' })).json().data;
    const checked = (await events()).find((event) => event.action === 'host.checked') as AuditEvent;
    expect(checked.target?.id).toBe('198.51.100.7');
    expect(checked.context?.team_id).toBe('Probe/1.0');
    expect(checked.description).toBe(`checked by ${report.pseudonym} from ${report.pseudonym}`);
  });

  it('an IP address or user agent injected after the dry run is not erased when the owner confirmed the list', async () => {
    await fixture.ingest(
      [
        {
          action: 'auth.login',
          actor: { id: 'u_bob' },
          context: { ip_address: '198.51.100.7', user_agent: 'Bob/1.0' },
        },
      ],
      fixture.tokens.ingest,
    );
    const dry = (await erase({ user: 'u_bob', dry_run: true })).json().data;
    expect(dry.subject.ip_addresses).toEqual(['198.51.100.7']);
    // After the owner saw the list, a sender pairs u_bob with Carol's address and agent.
    await fixture.ingest(
      [
        {
          action: 'auth.login',
          actor: { id: 'u_bob' },
          context: { ip_address: '203.0.113.9', user_agent: 'Carol/2.0' },
        },
        {
          action: 'note.added',
          actor: { id: 'u_carol' },
          description: 'Carol/2.0 at 203.0.113.9, Bob/1.0 at 198.51.100.7',
        },
      ],
      fixture.tokens.ingest,
    );
    const confirmed = { ip_addresses: dry.subject.ip_addresses, user_agents: dry.subject.user_agents };
    const report = (await erase({ user: 'u_bob', confirmed })).json().data;
    const note = (await events()).find((event) => event.action === 'note.added') as AuditEvent;
    expect(note.description).toBe(`Carol/2.0 at 203.0.113.9, ${report.pseudonym} at ${report.pseudonym}`);
  });

  it.each([
    ['a name', { user: 'u_1', names: ['Bob \ud800'] }],
    ['the user', { user: 'x\ud800@example.com' }],
    ['an identifier', { user: 'u_1', identifiers: ['\udfff\ud800'] }],
  ])('a lone surrogate in %s is a 400, not a 500', async (_label, payload) => {
    const response = await fixture.request({
      method: 'POST',
      url: `${GDPR}/erasures`,
      payload: JSON.stringify({ ...payload, dry_run: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('GDPR erasure and its audit record', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  itOnSqlite(
    'an erasure whose audit record cannot be stored is not committed either (no unaudited erasure)',
    async () => {
      await fixture.ingest([{ action: 'auth.login', actor: { id: 'u_bob', email: 'bob@example.com' } }]);
      fixture.db.exec(`CREATE TEMP TRIGGER refuse_erasure_record BEFORE INSERT ON events
      WHEN NEW.action = 'gdpr.user_erased' BEGIN SELECT RAISE(ABORT, 'audit store refused'); END`);
      const response = await fixture.request({
        method: 'POST',
        url: `${GDPR}/erasures`,
        payload: { user: 'u_bob' },
      });
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      const login = (
        (await fixture.request({ method: 'GET', url: `${LOGS}?action=auth.login` })).json()
          .data as AuditEvent[]
      )[0];
      expect(login?.actor?.email).toBe('bob@example.com');
    },
  );
});

describe('GDPR erasure of metadata keys', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  it('keys that become the same pseudonym are numbered, never silently dropped', async () => {
    await fixture.ingest([
      {
        action: 'review.approved',
        actor: { id: 'u_carol', name: 'Carol' },
        metadata: {
          reviewers: { 'dan@example.com': 'approved', 'DAN@example.com': 'rejected' },
          Dan: 'lead',
          dan: 'backup',
        },
      },
    ]);
    const report = (
      await fixture.request({
        method: 'POST',
        url: `${GDPR}/erasures`,
        payload: { user: 'dan@example.com', names: ['Dan'] },
      })
    ).json().data;
    const event = (
      (await fixture.request({ method: 'GET', url: `${LOGS}?action=review.approved` })).json()
        .data as AuditEvent[]
    )[0];
    const p = report.pseudonym;
    expect(event?.metadata).toEqual({
      reviewers: { [p]: 'approved', [`${p} 2`]: 'rejected' },
      [p]: 'lead',
      [`${p} 2`]: 'backup',
    });
  });
});
