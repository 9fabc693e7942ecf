import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_SIGNED } from '../../src/domain/checkpoint-record.js';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { generateToken } from '../../src/domain/token.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';
const OTHER_BASE = '/api/v1/organizations/other/audit-logs';
const COMPAT = '/api/organization/audit-logs';
// The known events live in May 2024; the fixture's own events (and everything the server records
// about itself during the test) happen "now", so this window isolates the known set exactly.
const WINDOW = 'from=2024-05-01&to=2024-05-31&per_page=1000';
const PLATFORM_NAME = 'Platform';

type Kind = 'organization' | 'team' | 'self' | 'ingest' | 'unauthenticated' | 'foreign';

interface Caller {
  name: string;
  kind: Kind;
  /** undefined: no Authorization header at all. */
  token: string | undefined;
  /** The caller's own identity, for `self`, `team` and actor=me. */
  self?: { id: string; email: string };
}

interface Person {
  id: string;
  email: string;
  teamId: string | null;
}

/** A stored event reduced to what visibility depends on. */
interface Shape {
  id: string;
  actorId: string | null;
  actorEmail: string | null;
  teamId: string | null;
  category: string;
}

const shapeOf = (event: AuditEvent): Shape => ({
  id: event.id,
  actorId: event.actor?.id ?? null,
  actorEmail: event.actor?.email ?? null,
  teamId: event.context?.team_id ?? null,
  category: event.category,
});

const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('permissions: every role × every endpoint', () => {
  let fixture: Fixture;
  let platformTeamId: string;
  let people: Record<'alice' | 'olga' | 'tom' | 'mia' | 'oscar', Person>;
  let callers: Caller[];
  /** Known events of organization default, by name. */
  const known = new Map<string, AuditEvent>();
  /** Known events of organization other, by name. */
  const knownOther = new Map<string, AuditEvent>();
  let revokeError: unknown;

  const call = (caller: Caller, options: InjectOptions) =>
    fixture.app.inject({
      ...options,
      headers: {
        ...(caller.token === undefined ? {} : { authorization: `Bearer ${caller.token}` }),
        ...options.headers,
      },
    });

  const callerNamed = (name: string): Caller => {
    const caller = callers.find((candidate) => candidate.name === name);
    if (!caller) throw new Error(`no caller ${name}`);
    return caller;
  };

  const isActor = (caller: Caller, event: Shape) =>
    caller.self !== undefined &&
    (event.actorId === caller.self.id || event.actorEmail?.toLowerCase() === caller.self.email.toLowerCase());

  /** The contract (SPEC "Permissions"), written independently of the server's SQL. */
  const mayRead = (caller: Caller, event: Shape): boolean => {
    switch (caller.kind) {
      case 'organization':
        return true;
      case 'team':
        return event.teamId === platformTeamId || isActor(caller, event);
      case 'self':
        return isActor(caller, event);
      default:
        return false;
    }
  };

  const expectedIds = (caller: Caller, events: Iterable<AuditEvent>, detailed: boolean) =>
    sorted(
      [...events]
        .map(shapeOf)
        .filter((event) => detailed || event.category !== 'access')
        .filter((event) => mayRead(caller, event))
        .map((event) => event.id),
    );

  const listIds = async (caller: Caller, url: string) => {
    const response = await call(caller, { method: 'GET', url });
    expect(response.statusCode, `${caller.name} GET ${url}: ${response.body}`).toBe(200);
    const body = response.json() as { data: AuditEvent[]; pagination: { has_more: boolean } };
    expect(body.pagination.has_more).toBe(false);
    return sorted(body.data.map((event) => event.id));
  };

  const expectProblem = (response: Awaited<ReturnType<typeof call>>, status: number, what: string) => {
    expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
    expect(response.headers['content-type'], what).toContain('application/problem+json');
    expect(response.json().status, what).toBe(status);
    if (status === 401) expect(String(response.headers['www-authenticate']), what).toMatch(/^Bearer/);
  };

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
    const whoami = async (token: string): Promise<Person> => {
      const response = await fixture.request({ method: 'GET', url: '/api/v1/me', token });
      expect(response.statusCode).toBe(200);
      const { user } = response.json();
      return { id: user.id, email: user.email, teamId: user.team?.id ?? null };
    };
    people = {
      alice: await whoami(fixture.tokens.owner),
      olga: await whoami(fixture.tokens.admin),
      tom: await whoami(fixture.tokens.teamAdmin),
      mia: await whoami(fixture.tokens.member),
      oscar: await whoami(fixture.tokens.otherOrg),
    };
    expect(people.tom.teamId).toMatch(/\S/);
    platformTeamId = people.tom.teamId as string;
    expect(people.mia.teamId).toBe(platformTeamId);

    const stores = createStores(fixture.db);
    const admin = adminOf(stores);
    const { token: doomed, record } = await admin.createToken(
      'default',
      'olga@example.com',
      'read',
      'soon revoked',
    );
    try {
      await admin.revokeToken('default', doomed.slice(0, 12));
    } catch (error) {
      // Reported by its own test below; revoke in the store so the rest of the matrix still runs.
      revokeError = error;
      stores.directory.revokeToken(record.id);
    }

    const { alice, olga, tom, mia, oscar } = people;
    callers = [
      { name: 'owner', kind: 'organization', token: fixture.tokens.owner, self: alice },
      { name: 'org admin', kind: 'organization', token: fixture.tokens.admin, self: olga },
      { name: 'team admin', kind: 'team', token: fixture.tokens.teamAdmin, self: tom },
      { name: 'member', kind: 'self', token: fixture.tokens.member, self: mia },
      { name: 'ingest token', kind: 'ingest', token: fixture.tokens.ingest, self: alice },
      { name: 'revoked token', kind: 'unauthenticated', token: doomed },
      { name: 'garbage token', kind: 'unauthenticated', token: 'garbage' },
      { name: 'unknown well-formed token', kind: 'unauthenticated', token: generateToken() },
      { name: 'no token', kind: 'unauthenticated', token: undefined },
      { name: "other organization's owner", kind: 'foreign', token: fixture.tokens.otherOrg, self: oscar },
    ];

    const at = (hour: number) => new Date(Date.UTC(2024, 4, 10, hour)).toISOString();
    const stranger = {
      id: 'user_stranger',
      name: 'Sam Stranger',
      email: 'sam@example.net',
      type: 'user' as const,
    };
    const platform = { team_id: platformTeamId, team_name: PLATFORM_NAME };
    const defaultEvents: Record<string, EventInput> = {
      aliceById: { action: 'tunnel.created', actor: { id: alice.id, name: 'Alice Chen', type: 'user' } },
      aliceByEmail: { action: 'user.login', actor: { email: 'alice@example.com', type: 'user' } },
      olgaByEmail: { action: 'user.login', actor: { email: 'olga@example.com', type: 'user' } },
      tomById: { action: 'tunnel.deleted', actor: { id: tom.id, type: 'user' } },
      tomByEmail: { action: 'user.logout', actor: { email: 'tom@example.com', name: 'Tom Lead' } },
      miaById: { action: 'user.login', actor: { id: mia.id, type: 'user' } },
      miaByEmail: { action: 'tunnel.deleted', actor: { email: 'mia@example.com', name: 'Mia Member' } },
      miaByUpperCaseEmail: { action: 'user.logout', actor: { email: 'MIA@EXAMPLE.COM' } },
      miaInPlatform: { action: 'tunnel.created', actor: { email: 'mia@example.com' }, context: platform },
      miaPageView: { action: 'access.page_viewed', actor: { id: mia.id, email: 'mia@example.com' } },
      strangerInPlatform: { action: 'tunnel.deleted', actor: stranger, context: platform },
      strangerPageViewInPlatform: { action: 'access.page_viewed', actor: stranger, context: platform },
      // Same team name, another team: team visibility goes by id.
      strangerInLookalikeTeam: {
        action: 'tunnel.created',
        actor: stranger,
        context: { team_id: 'team_lookalike', team_name: PLATFORM_NAME },
      },
      strangerNoTeam: { action: 'billing.payment_failed', actor: stranger, metadata: { reason: 'declined' } },
      // Carries Mia's name but not her id or email: not hers.
      impostorNamedMia: {
        action: 'user.login',
        actor: { name: 'Mia Member', email: 'impostor@example.net' },
      },
      // About Mia (target), performed by someone else: a member reads only what they performed.
      strangerTargetsMia: {
        action: 'team.member_removed',
        actor: stranger,
        target: { type: 'user', id: mia.id, name: 'mia@example.com' },
      },
      systemEvent: { action: 'billing.invoice_created', actor: { type: 'system', name: 'Billing' } },
    };
    const names = Object.keys(defaultEvents);
    const stored = await fixture.ingest(
      names.map((name, index) => ({ ...defaultEvents[name], timestamp: at(index) }) as EventInput),
    );
    names.forEach((name, index) => {
      known.set(name, stored[index] as unknown as AuditEvent);
    });

    const otherEvents: Record<string, EventInput> = {
      oscarEvent: { action: 'user.login', actor: { id: oscar.id, email: 'oscar@other.example' } },
      // Mia's email and Tom's team id in another organization must not leak to them.
      miaEmailElsewhere: { action: 'user.login', actor: { email: 'mia@example.com' } },
      platformIdElsewhere: { action: 'tunnel.created', actor: stranger, context: platform },
    };
    const otherNames = Object.keys(otherEvents);
    // fixture.ingest posts to /organizations/default; the other organization has its own path.
    const response = await fixture.request({
      method: 'POST',
      url: OTHER_BASE,
      token: fixture.tokens.otherOrg,
      payload: { events: otherNames.map((name, index) => ({ ...otherEvents[name], timestamp: at(index) })) },
    });
    expect(response.statusCode, response.body).toBe(201);
    const otherStored = response.json().data as AuditEvent[];
    otherNames.forEach((name, index) => {
      knownOther.set(name, otherStored[index] as unknown as AuditEvent);
    });
  });
  afterAll(() => fixture.close());

  it('revokes a token by its 12-character prefix (the `audit server token revoke` operation)', () => {
    expect(revokeError).toBeUndefined();
  });

  it('has a distinct id for every known event', () => {
    expect(new Set([...known.values(), ...knownOther.values()].map((event) => event.id)).size).toBe(
      known.size + knownOther.size,
    );
  });

  describe('status of every endpoint for every role', () => {
    // One event only organization-wide readers may see (Alice's, no team).
    const endpoints: Record<string, () => InjectOptions> = {
      list: () => ({ method: 'GET', url: BASE }),
      compat: () => ({ method: 'GET', url: COMPAT }),
      one: () => ({ method: 'GET', url: `${BASE}/${known.get('aliceById')?.id}` }),
      ingest: () => ({ method: 'POST', url: BASE, payload: { action: 'user.login' } }),
      me: () => ({ method: 'GET', url: '/api/v1/me' }),
    };
    const expected: Record<string, Record<keyof typeof endpoints, number>> = {
      owner: { list: 200, compat: 200, one: 200, ingest: 201, me: 200 },
      'org admin': { list: 200, compat: 200, one: 200, ingest: 201, me: 200 },
      'team admin': { list: 200, compat: 200, one: 404, ingest: 403, me: 200 },
      member: { list: 200, compat: 200, one: 404, ingest: 403, me: 200 },
      'ingest token': { list: 403, compat: 403, one: 403, ingest: 201, me: 200 },
      'revoked token': { list: 401, compat: 401, one: 401, ingest: 401, me: 401 },
      'garbage token': { list: 401, compat: 401, one: 401, ingest: 401, me: 401 },
      'unknown well-formed token': { list: 401, compat: 401, one: 401, ingest: 401, me: 401 },
      'no token': { list: 401, compat: 401, one: 401, ingest: 401, me: 401 },
      "other organization's owner": { list: 404, compat: 200, one: 404, ingest: 404, me: 200 },
    };
    const cases = Object.entries(expected).flatMap(([role, byEndpoint]) =>
      Object.entries(byEndpoint).map(([endpoint, status]) => ({ role, endpoint, status })),
    );

    it.each(cases)('$role → $endpoint: $status', async ({ role, endpoint, status }) => {
      const options = (endpoints[endpoint] as () => InjectOptions)();
      const response = await call(callerNamed(role), options);
      const what = `${role} ${options.method} ${options.url}`;
      if (status >= 400) expectProblem(response, status, what);
      else expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      if (status === 201) {
        const [event] = response.json().data;
        expect(event.action).toBe('user.login');
        // Stored where the path says, not in the caller's or any other organization.
        const fetched = await fixture.request({ method: 'GET', url: `${BASE}/${event.id}` });
        expect(fetched.statusCode).toBe(200);
      }
    });
  });

  describe('GET /api/v1/me', () => {
    it.each([
      ['owner', 'alice@example.com', 'owner', 'default', 'read'],
      ['org admin', 'olga@example.com', 'admin', 'default', 'read'],
      ['team admin', 'tom@example.com', 'admin', 'default', 'read'],
      ['member', 'mia@example.com', 'member', 'default', 'read'],
      ['ingest token', 'alice@example.com', 'owner', 'default', 'ingest'],
      ["other organization's owner", 'oscar@other.example', 'owner', 'other', 'read'],
    ])('%s is %s, %s of %s, scope %s', async (role, email, userRole, org, scope) => {
      const caller = callerNamed(role);
      const response = await call(caller, { method: 'GET', url: '/api/v1/me' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.user).toMatchObject({ email, role: userRole });
      expect(body.organization.slug).toBe(org);
      expect(body.token.scope).toBe(scope);
      expect(body.token.prefix).toBe(caller.token?.slice(0, 12));
      expect(JSON.stringify(body)).not.toContain(caller.token);
      if (role === 'team admin' || role === 'member') {
        expect(body.user.team).toEqual({ id: platformTeamId, name: PLATFORM_NAME });
      }
    });
  });

  describe('which events each role reads', () => {
    const readers = ['owner', 'org admin', 'team admin', 'member'];

    it.each(readers.flatMap((role) => [false, true].map((detailed) => ({ role, detailed }))))(
      '$role (detailed: $detailed) reads exactly the permitted known events, on both paths',
      async ({ role, detailed }) => {
        const caller = callerNamed(role);
        const query = `${WINDOW}${detailed ? '&detailed=true' : ''}`;
        const expected = expectedIds(caller, known.values(), detailed);
        expect(await listIds(caller, `${BASE}?${query}`)).toEqual(expected);
        expect(await listIds(caller, `${COMPAT}?${query}`)).toEqual(expected);
      },
    );

    it('spells out the expected sets (so the model above cannot drift silently)', () => {
      const names = (role: string, detailed = false) => {
        const ids = new Set(expectedIds(callerNamed(role), known.values(), detailed));
        return [...known].filter(([, event]) => ids.has(event.id)).map(([name]) => name);
      };
      expect(names('owner', true)).toEqual([...known.keys()]);
      expect(names('team admin')).toEqual(['tomById', 'tomByEmail', 'miaInPlatform', 'strangerInPlatform']);
      expect(names('team admin', true)).toEqual([
        'tomById',
        'tomByEmail',
        'miaInPlatform',
        'strangerInPlatform',
        'strangerPageViewInPlatform',
      ]);
      expect(names('member')).toEqual(['miaById', 'miaByEmail', 'miaByUpperCaseEmail', 'miaInPlatform']);
      expect(names('member', true)).toEqual([
        'miaById',
        'miaByEmail',
        'miaByUpperCaseEmail',
        'miaInPlatform',
        'miaPageView',
      ]);
    });

    it.each(readers)(
      '%s reads exactly the permitted events of the whole log, own events included',
      async (role) => {
        const caller = callerNamed(role);
        // Everything stored for the organization, straight from the database (fixture users, tokens...).
        const expected = () => {
          const rows = fixture.db
            .prepare(
              `SELECT e.id, e.actor_id AS actorId, e.actor_email AS actorEmail, e.team_id AS teamId, e.category
             FROM events e JOIN organizations o ON o.id = e.org_id
             WHERE o.slug = 'default' AND e.action <> '${CHECKPOINT_SIGNED}'`,
            )
            .all() as Shape[];
          return sorted(
            rows.filter((row) => row.category !== 'access' && mayRead(caller, row)).map((row) => row.id),
          );
        };
        const before = expected();
        const actual = await listIds(caller, `${BASE}?per_page=1000`);
        expect(actual).toEqual(before);
        if (role === 'team admin') {
          // The fixture added Tom and Mia to Platform: those events carry the team and so are Tom's to read.
          const response = await call(caller, { method: 'GET', url: `${BASE}?action=team.member_added` });
          const targets = response.json().data.map((event: AuditEvent) => event.target?.name);
          expect(sorted(targets)).toEqual(['mia@example.com', 'tom@example.com']);
        }
      },
    );

    it('the ingest token may not read, on any path', async () => {
      const caller = callerNamed('ingest token');
      for (const url of [`${BASE}?${WINDOW}`, `${COMPAT}?${WINDOW}`, `${BASE}?actor=me`]) {
        expectProblem(await call(caller, { method: 'GET', url }), 403, url);
      }
    });

    it.each(['revoked token', 'garbage token', 'unknown well-formed token', 'no token'])(
      '%s is refused with 401 on every path, without data',
      async (role) => {
        const caller = callerNamed(role);
        for (const url of [`${BASE}?${WINDOW}`, `${COMPAT}?${WINDOW}`, `${BASE}?actor=me`, '/api/v1/me']) {
          const response = await call(caller, { method: 'GET', url });
          expectProblem(response, 401, `${role} ${url}`);
          expect(response.json().data).toBeUndefined();
        }
      },
    );

    it("another organization's owner gets 404 on /organizations/default and only its own events on the compat path", async () => {
      const caller = callerNamed("other organization's owner");
      expectProblem(await call(caller, { method: 'GET', url: `${BASE}?${WINDOW}` }), 404, 'list');
      const compat = await listIds(caller, `${COMPAT}?${WINDOW}&detailed=true`);
      expect(compat).toEqual(sorted([...knownOther.values()].map((event) => event.id)));
      expect(await listIds(caller, `${OTHER_BASE}?${WINDOW}`)).toEqual(compat);
      // Without the window: nothing of organization default at all.
      const everything = await listIds(caller, `${COMPAT}?per_page=1000&detailed=true`);
      const defaultIds = new Set(
        (
          fixture.db
            .prepare(
              "SELECT e.id FROM events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = 'default'",
            )
            .pluck()
            .all() as string[]
        ).values(),
      );
      expect(everything.length).toBeGreaterThan(knownOther.size);
      expect(everything.filter((id) => defaultIds.has(id))).toEqual([]);
    });

    it('members and team admins of default see nothing of organization other, even with their email or team id', async () => {
      for (const role of ['team admin', 'member']) {
        const ids = await listIds(callerNamed(role), `${COMPAT}?per_page=1000&detailed=true`);
        for (const event of knownOther.values()) expect(ids).not.toContain(event.id);
      }
    });
  });

  describe('actor=me', () => {
    it.each(['owner', 'org admin', 'team admin', 'member'])(
      '%s gets exactly their own events (by id or email), on both paths',
      async (role) => {
        const caller = callerNamed(role);
        const expected = sorted(
          [...known.values()]
            .map(shapeOf)
            .filter((event) => event.category !== 'access' && isActor(caller, event))
            .map((event) => event.id),
        );
        expect(await listIds(caller, `${BASE}?${WINDOW}&actor=me`)).toEqual(expected);
        expect(await listIds(caller, `${COMPAT}?${WINDOW}&actor=me`)).toEqual(expected);
        if (role !== 'org admin') expect(expected.length).toBeGreaterThanOrEqual(2);
        else expect(expected).toEqual([known.get('olgaByEmail')?.id]);
      },
    );

    it('member with actor=me and detailed=true also gets her page view', async () => {
      const caller = callerNamed('member');
      const ids = await listIds(caller, `${BASE}?${WINDOW}&actor=me&detailed=true`);
      expect(ids).toContain(known.get('miaPageView')?.id);
      expect(ids).not.toContain(known.get('impostorNamedMia')?.id);
    });

    it("another organization's owner gets their own events on the compat path", async () => {
      const caller = callerNamed("other organization's owner");
      expect(await listIds(caller, `${COMPAT}?${WINDOW}&actor=me`)).toEqual([
        knownOther.get('oscarEvent')?.id,
      ]);
    });
  });

  describe('GET one event by id', () => {
    it.each(['owner', 'org admin', 'team admin', 'member'])(
      '%s gets every event they may read, and 404 for every other',
      async (role) => {
        const caller = callerNamed(role);
        for (const [name, event] of known) {
          const response = await call(caller, { method: 'GET', url: `${BASE}/${event.id}` });
          // Access events are hidden from lists by default, but fetching one by id is explicit.
          if (mayRead(caller, shapeOf(event))) {
            expect(response.statusCode, `${role} ${name}`).toBe(200);
            expect(response.json().data).toEqual(event);
          } else {
            expectProblem(response, 404, `${role} ${name}`);
            expect(response.body).not.toContain(event.actor?.email ?? '\u0000');
          }
        }
        // An event of another organization is not found either, not even for an owner.
        for (const event of knownOther.values()) {
          expectProblem(
            await call(caller, { method: 'GET', url: `${BASE}/${event.id}` }),
            404,
            `${role} other`,
          );
        }
      },
    );

    it('the ingest token gets 403, unauthenticated callers 401', async () => {
      const id = known.get('aliceById')?.id;
      expectProblem(
        await call(callerNamed('ingest token'), { method: 'GET', url: `${BASE}/${id}` }),
        403,
        'ingest',
      );
      for (const role of ['revoked token', 'garbage token', 'unknown well-formed token', 'no token']) {
        expectProblem(await call(callerNamed(role), { method: 'GET', url: `${BASE}/${id}` }), 401, role);
      }
    });

    it("another organization's owner: 404 for default's events on either organization's path", async () => {
      const caller = callerNamed("other organization's owner");
      for (const event of known.values()) {
        expectProblem(await call(caller, { method: 'GET', url: `${BASE}/${event.id}` }), 404, 'default path');
        expectProblem(
          await call(caller, { method: 'GET', url: `${OTHER_BASE}/${event.id}` }),
          404,
          'other path',
        );
      }
      const own = knownOther.get('oscarEvent') as AuditEvent;
      const response = await call(caller, { method: 'GET', url: `${OTHER_BASE}/${own.id}` });
      expect(response.statusCode).toBe(200);
      expect(response.json().data).toEqual(own);
    });
  });

  describe('POST (ingest)', () => {
    it('members and team admins are refused and nothing is stored', async () => {
      for (const role of ['team admin', 'member']) {
        const marker = `refused-${role.replace(' ', '-')}`;
        const response = await call(callerNamed(role), {
          method: 'POST',
          url: BASE,
          payload: { events: [{ action: 'user.login', metadata: { marker } }] },
        });
        expectProblem(response, 403, role);
        const search = await fixture.request({ method: 'GET', url: `${BASE}?q=${marker}` });
        expect(search.json().data).toEqual([]);
      }
    });

    it("another organization's owner cannot write into default, and writes into its own", async () => {
      const caller = callerNamed("other organization's owner");
      expectProblem(
        await call(caller, { method: 'POST', url: BASE, payload: { action: 'user.login' } }),
        404,
        'default',
      );
      const own = await call(caller, { method: 'POST', url: OTHER_BASE, payload: { action: 'user.login' } });
      expect(own.statusCode).toBe(201);
      const id = own.json().data[0].id;
      expectProblem(await fixture.request({ method: 'GET', url: `${BASE}/${id}` }), 404, 'not in default');
    });
  });
});
