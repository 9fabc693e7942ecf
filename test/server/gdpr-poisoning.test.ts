import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture, itOnSqlite } from '../helpers/server-fixture.js';

const GDPR = '/api/v1/organizations/default/gdpr';
const LOGS = '/api/v1/organizations/default/audit-logs';
const OWNER_EMAIL = 'alice@example.com';

describe('GDPR identity linking cannot be poisoned by senders', () => {
  let fixture: Fixture;
  let ownerId: string;
  const post = (path: string, payload: object, token?: string) =>
    fixture.request({ method: 'POST', url: `${GDPR}/${path}`, payload, token });
  const account = (email: string) =>
    fixture.db.prepare('SELECT email, name FROM users WHERE email = ?').get(email) as
      | { email: string; name: string }
      | undefined;
  const eventsOf = async (actorId: string) =>
    (
      (await fixture.request({ method: 'GET', url: `${LOGS}?per_page=1000` })).json().data as AuditEvent[]
    ).filter((event) => event.actor?.id === actorId);

  beforeEach(async () => {
    fixture = await createFixture();
    ownerId = (await fixture.request({ method: 'GET', url: '/api/v1/me' })).json().user.id;
    await fixture.ingest([
      {
        action: 'user.login',
        actor: { id: ownerId, name: 'Alice Chen', email: OWNER_EMAIL, type: 'user' },
        context: { ip_address: '203.0.113.50', user_agent: 'AliceBrowser/1.0' },
      },
    ]);
  });
  afterEach(() => fixture.close());

  itOnSqlite(
    "an ingest-only token that pairs its own id with the owner's email cannot get the owner erased",
    async () => {
      await fixture.ingest(
        [
          {
            action: 'user.login',
            actor: { id: 'user_eve', name: 'Eve', email: OWNER_EMAIL, type: 'user' },
            context: { ip_address: '198.51.100.66' },
          },
        ],
        fixture.tokens.ingest,
      );
      const dry = await post('erasures', { user: 'user_eve', dry_run: true });
      expect(dry.statusCode).toBe(200);
      // The pairing is shown to the owner as a candidate, not followed.
      expect(dry.json().data.candidates.emails).toContain(OWNER_EMAIL);
      expect(dry.json().data.subject.emails).not.toContain(OWNER_EMAIL);
      expect(dry.json().data.accounts_changed).toBe(0);

      const erased = await post('erasures', { user: 'user_eve' });
      expect(erased.statusCode).toBe(200);
      expect(erased.json().data.accounts_changed).toBe(0);
      expect(account(OWNER_EMAIL)).toEqual({ email: OWNER_EMAIL, name: 'Alice Chen' });
      expect((await fixture.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
      const ownerLogin = (await eventsOf(ownerId)).find((event) => event.action === 'user.login');
      expect(ownerLogin?.actor).toMatchObject({ name: 'Alice Chen', email: OWNER_EMAIL });
      expect(ownerLogin?.context).toMatchObject({
        ip_address: '203.0.113.50',
        user_agent: 'AliceBrowser/1.0',
      });
      // Eve's own event is erased, including the email she wrote into it.
      const [eveLogin] = await eventsOf('user_eve');
      expect(eveLogin?.actor?.email).toBe(erased.json().data.pseudonym);
    },
  );

  it('a forged export cannot pull the owner’s events into a subject-access answer about someone else', async () => {
    await fixture.ingest(
      [{ action: 'user.login', actor: { id: 'user_eve', email: OWNER_EMAIL, type: 'user' } }],
      fixture.tokens.ingest,
    );
    const answer = (await post('exports', { user: 'user_eve' })).json();
    expect(answer.data.map((event: AuditEvent) => event.actor?.id)).toEqual(['user_eve']);
    expect(answer.summary.candidates.emails).toEqual([OWNER_EMAIL]);
  });

  itOnSqlite('an id that senders pair with two accounts never makes erasure fail', async () => {
    await fixture.ingest(
      [
        { action: 'user.login', actor: { id: 'user_twice', email: 'olga@example.com', type: 'user' } },
        { action: 'user.login', actor: { id: 'user_twice', email: 'mia@example.com', type: 'user' } },
      ],
      fixture.tokens.ingest,
    );
    const linked = await post('erasures', { user: 'user_twice' });
    expect(linked.statusCode).toBe(200);
    expect(linked.json().data.accounts_changed).toBe(0);
    expect(account('olga@example.com')?.name).toBe('Olga Admin');

    const olgaId = fixture.db
      .prepare('SELECT public_id FROM users WHERE email = ?')
      .pluck()
      .get('olga@example.com');
    // The owner may name two accounts on purpose: both are erased, and neither request fails.
    const both = await post('erasures', { user: 'olga@example.com', identifiers: ['mia@example.com'] });
    expect(both.statusCode).toBe(200);
    expect(both.json().data.accounts_changed).toBe(2);
    expect(account('olga@example.com')).toBeUndefined();
    expect(account('mia@example.com')).toBeUndefined();
    const again = await post('erasures', { user: 'mia@example.com', identifiers: ['user_twice'] });
    expect(again.statusCode).toBe(200);
    // An account already erased is named by its id still, and has nothing left to change.
    const repeated = await post('erasures', { user: olgaId as string, dry_run: true });
    expect(repeated.json().data).toMatchObject({ accounts_changed: 0, events_changed: 0 });
    expect(
      (await fixture.request({ method: 'GET', url: '/api/v1/me', token: fixture.tokens.member })).statusCode,
    ).toBe(401);
  });

  it('erases an identifier a sender paired with the subject only once the owner confirms it', async () => {
    await fixture.ingest(
      [
        { action: 'user.login', actor: { id: 'user_kim', email: 'kim@example.com', type: 'user' } },
        { action: 'doc.viewed', metadata: { viewer: 'kim@example.com' } },
      ],
      fixture.tokens.ingest,
    );
    const byId = (await post('erasures', { user: 'user_kim', dry_run: true })).json().data;
    expect(byId.candidates.emails).toEqual(['kim@example.com']);
    expect(byId.events_changed).toBe(1);
    const confirmed = await post('erasures', { user: 'user_kim', identifiers: ['kim@example.com'] });
    expect(confirmed.json().data.events_changed).toBe(2);
    const text = JSON.stringify(
      (await fixture.request({ method: 'GET', url: `${LOGS}?per_page=1000` })).json(),
    );
    expect(text).not.toContain('kim@example.com');
  });

  it("a sender cannot make common words the subject's IP address or user agent, to garble everyone's text", async () => {
    await fixture.ingest(
      [
        {
          action: 'user.login',
          actor: { id: 'user_vic', email: 'vic@example.com', type: 'user' },
          context: { ip_address: 'gateway', user_agent: 'the' },
        },
        {
          action: 'incident.opened',
          actor: { id: 'user_ops', type: 'user' },
          description: 'the gateway is down',
        },
      ],
      fixture.tokens.ingest,
    );
    const dry = (await post('erasures', { user: 'vic@example.com', dry_run: true })).json().data;
    expect(dry.subject).toMatchObject({ ip_addresses: [], user_agents: [] });
    await post('erasures', { user: 'vic@example.com' });
    const incident = (
      (await fixture.request({ method: 'GET', url: `${LOGS}?action=incident.opened` })).json()
        .data as AuditEvent[]
    )[0];
    expect(incident?.description).toBe('the gateway is down');
  });

  itOnSqlite(
    'a team name that the erasure would make equal to another team never makes it fail',
    async () => {
      const admin = adminOf(createStores(fixture.db), SYSTEM_ACTOR);
      await admin.addUser('default', {
        email: 'dora@example.com',
        name: 'Dora Dupont',
        role: 'member',
        team: 'Dora Dupont',
      });
      const { pseudonym } = (await post('erasures', { user: 'dora@example.com', dry_run: true })).json().data;
      await admin.addUser('default', {
        email: 'eli@example.com',
        name: 'Eli',
        role: 'member',
        team: pseudonym,
      });
      const erased = await post('erasures', { user: 'dora@example.com' });
      expect(erased.statusCode).toBe(200);
      const teams = fixture.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
      expect(teams.filter((name) => name.startsWith(pseudonym))).toHaveLength(2);
      expect(teams.join()).not.toContain('Dora');
    },
  );

  it('answers 400, not 500, for an identifier that is empty once normalized', async () => {
    expect((await post('erasures', { user: ' \u200b\u00a0' })).statusCode).toBe(400);
    expect((await post('exports', { user: 'bob@example.com', identifiers: ['\u2003'] })).statusCode).toBe(
      400,
    );
  });
});
