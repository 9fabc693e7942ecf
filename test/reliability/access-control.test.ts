import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

/**
 * Every role × every operation of the OpenAPI document. The table is checked against the
 * document, so an endpoint added without a row here fails the first test.
 */
const ROLES = ['owner', 'admin', 'teamAdmin', 'member', 'ingest', 'revoked', 'otherOrg', 'none'] as const;
type Role = (typeof ROLES)[number];
type Row = Record<Role, number>;

const READERS: Row = {
  owner: 200,
  admin: 200,
  teamAdmin: 200,
  member: 200,
  ingest: 403,
  revoked: 401,
  otherOrg: 404,
  none: 401,
};
const ORG_ADMINS = (ok: number): Row => ({
  owner: ok,
  admin: ok,
  teamAdmin: 403,
  member: 403,
  ingest: 403,
  revoked: 401,
  otherOrg: 404,
  none: 401,
});

const TABLE: Record<string, Row> = {
  'GET /healthz': { ...READERS, ingest: 200, revoked: 200, otherOrg: 200, none: 200 },
  'GET /openapi.json': { ...READERS, ingest: 200, revoked: 200, otherOrg: 200, none: 200 },
  'GET /api/v1/me': { ...READERS, ingest: 200, otherOrg: 200 },
  'GET /api/v1/organizations/{org}/audit-logs': READERS,
  'GET /api/organization/audit-logs': { ...READERS, otherOrg: 200 },
  'GET /api/v1/organizations/{org}/audit-logs/stream': READERS,
  'GET /api/v1/organizations/{org}/audit-logs/export': READERS,
  'GET /api/v1/organizations/{org}/audit-logs/stats': READERS,
  // An event only organization-wide readers may see: others are told it does not exist.
  'GET /api/v1/organizations/{org}/audit-logs/{id}': { ...READERS, teamAdmin: 404, member: 404 },
  'POST /api/v1/organizations/{org}/audit-logs': { ...ORG_ADMINS(201), ingest: 201 },
  'POST /api/v1/organizations/{org}/exports': {
    ...READERS,
    owner: 201,
    admin: 201,
    teamAdmin: 201,
    member: 201,
  },
  'POST /api/v1/organizations/{org}/gdpr/exports': ORG_ADMINS(200),
  'POST /api/v1/organizations/{org}/gdpr/erasures': { ...ORG_ADMINS(200), admin: 403 },
  'POST /api/v1/organizations/{org}/webhooks': ORG_ADMINS(201),
  'GET /api/v1/organizations/{org}/webhooks': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/webhooks/{id}': ORG_ADMINS(200),
  'PATCH /api/v1/organizations/{org}/webhooks/{id}': ORG_ADMINS(200),
  'DELETE /api/v1/organizations/{org}/webhooks/{id}': ORG_ADMINS(204),
  'POST /api/v1/organizations/{org}/webhooks/{id}/test': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/webhooks/{id}/deliveries': ORG_ADMINS(200),
  // The review reads every event of the organization, whoever may see it.
  'GET /api/v1/organizations/{org}/audit-logs/review': ORG_ADMINS(200),
  // The Merkle tree stands for every event of the organization, whoever may see it.
  'GET /api/v1/organizations/{org}/audit-logs/checkpoint': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/audit-logs/tree': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/audit-logs/tree/inclusion': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/audit-logs/tree/consistency': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/audit-logs/tree/leaves': ORG_ADMINS(200),
  'GET /api/v1/organizations/{org}/audit-logs/tree/proof': ORG_ADMINS(200),
};

const WINDOW = 'from=2024-05-01&to=2024-05-31&per_page=1000';
const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('access control: every role × every endpoint', () => {
  let fixture: Fixture;
  const tokens = {} as Record<Role, string | undefined>;
  /** Known May-2024 events of organization default, by name. */
  const known: Record<string, AuditEvent> = {};
  let otherEvent: AuditEvent;
  let otherWebhook: string;
  /** The webhooks organization default has right now, kept in step with every 201 and 204. */
  const defaultWebhooks = new Set<string>();

  /** Which known events each reader sees (the SPEC's permissions), spelt out by hand. */
  const VISIBLE: Partial<Record<Role, string[]>> = {
    owner: ['alice', 'tom', 'mia', 'strangerInPlatform', 'stranger'],
    admin: ['alice', 'tom', 'mia', 'strangerInPlatform', 'stranger'],
    // A team admin reads events carrying their team (and their own); Mia's login carries no team.
    teamAdmin: ['tom', 'strangerInPlatform'],
    member: ['mia'],
  };
  const expectedIds = (role: Role) => sorted((VISIBLE[role] ?? []).map((name) => known[name]?.id as string));

  const call = (role: Role, options: InjectOptions) => {
    const token = tokens[role];
    return fixture.app.inject({
      ...options,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    });
  };

  const newWebhook = async () => {
    const response = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'http://127.0.0.1:9/hook', actions: ['nothing.matches'] },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().data.id as string;
    defaultWebhooks.add(id);
    return id;
  };

  beforeAll(async () => {
    fixture = await createFixture({
      rateLimitPerMinute: 1_000_000,
      webhookTimeoutMs: 500,
      webhookAllowPrivate: true,
    });
    for (const role of ['owner', 'admin', 'teamAdmin', 'member', 'ingest', 'otherOrg'] as const) {
      tokens[role] = fixture.tokens[role];
    }
    const admin = adminOf(createStores(fixture.db));
    const { token: doomed } = await admin.createToken('default', 'olga@example.com', 'read', 'doomed');
    await admin.revokeToken('default', doomed.slice(0, 12));
    tokens.revoked = doomed;
    tokens.none = undefined;

    const me = async (role: Role) =>
      (await call(role, { method: 'GET', url: '/api/v1/me' })).json().user as {
        id: string;
        team: { id: string } | null;
      };
    const tom = await me('teamAdmin');
    const mia = await me('member');
    const platform = { team_id: tom.team?.id, team_name: 'Platform' };
    const stranger = { id: 'user_stranger', email: 'sam@example.net', type: 'user' as const };
    const events: Record<string, EventInput> = {
      alice: { action: 'tunnel.created', actor: { email: 'alice@example.com' } },
      tom: { action: 'tunnel.deleted', actor: { id: tom.id } },
      mia: { action: 'user.login', actor: { id: mia.id, email: 'mia@example.com' } },
      miaPageView: { action: 'access.page_viewed', actor: { id: mia.id, email: 'mia@example.com' } },
      strangerInPlatform: { action: 'tunnel.deleted', actor: stranger, context: platform },
      stranger: { action: 'billing.payment_failed', actor: stranger },
    };
    const names = Object.keys(events);
    const stored = await fixture.ingest(
      names.map((name, index) => ({
        ...events[name],
        timestamp: new Date(Date.UTC(2024, 4, 10, index)).toISOString(),
      })) as EventInput[],
    );
    names.forEach((name, index) => {
      known[name] = stored[index] as unknown as AuditEvent;
    });
    const other = await call('otherOrg', {
      method: 'POST',
      url: '/api/v1/organizations/other/audit-logs',
      payload: {
        action: 'user.login',
        timestamp: '2024-05-10T00:00:00Z',
        actor: { email: 'mia@example.com' },
      },
    });
    otherEvent = other.json().data[0];
    const hook = await call('otherOrg', {
      method: 'POST',
      url: '/api/v1/organizations/other/webhooks',
      payload: { url: 'http://127.0.0.1:9/other', actions: ['nothing.matches'] },
    });
    otherWebhook = hook.json().data.id;
    await newWebhook();
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('has a row for every operation the server offers, and none for one it does not', async () => {
    const document = (await fixture.request({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const offered = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The document itself is hidden from the document.
    expect(sorted(Object.keys(TABLE))).toEqual(sorted([...offered, 'GET /openapi.json']));
  });

  /** The request for one operation; `role` decides whose organization the path names. */
  const requestFor = async (operation: string): Promise<InjectOptions> => {
    const [method, template] = operation.split(' ') as [InjectOptions['method'], string];
    let id = 'x';
    if (template.includes('/webhooks/{id}'))
      id = operation.startsWith('DELETE') ? await newWebhook() : ([...defaultWebhooks][0] as string);
    else if (template.includes('{id}')) id = known.alice?.id as string;
    const url = template.replace('{org}', 'default').replace('{id}', id);
    const bodies: Record<string, unknown> = {
      'POST /api/v1/organizations/{org}/audit-logs': {
        action: 'user.login',
        timestamp: '2023-01-01T00:00:00Z',
      },
      'POST /api/v1/organizations/{org}/exports': { kind: 'export', format: 'csv', count: 0 },
      'POST /api/v1/organizations/{org}/gdpr/exports': { user: 'mia@example.com' },
      'POST /api/v1/organizations/{org}/gdpr/erasures': { user: 'mia@example.com', dry_run: true },
      'POST /api/v1/organizations/{org}/webhooks': {
        url: 'http://127.0.0.1:9/new',
        actions: ['nothing.matches'],
      },
      'PATCH /api/v1/organizations/{org}/webhooks/{id}': { description: 'renamed' },
    };
    if (template.endsWith('/stats')) {
      return { method, url: `${url}?group_by=action&${WINDOW.replace('&per_page=1000', '')}` };
    }
    if (template.endsWith('/export'))
      return { method, url: `${url}?${WINDOW.replace('&per_page=1000', '')}` };
    const list = method === 'GET' && template.endsWith('audit-logs');
    const stream = template.endsWith('/stream');
    if (template.includes('/audit-logs/tree') || template.endsWith('/checkpoint')) {
      // Every event so far is in the tree and a checkpoint covers it.
      await fixture.app.services.sealer.settle({ signNow: true });
      const orgId = fixture.app.services.sqlite.directory.findOrganization('default')?.id ?? 0;
      const size = fixture.app.services.sqlite.merkle.latestCheckpoint(orgId)?.treeSize ?? 0;
      const queries: Record<string, string> = {
        '/tree/inclusion': `event_id=${known.alice?.id}&tree_size=${size}`,
        '/tree/consistency': `first=1&second=${size}`,
        '/tree/leaves': 'start=0&end=2',
        '/tree/proof': `tree_size=${size}&${WINDOW.replace('&per_page=1000', '')}`,
      };
      const query = Object.entries(queries).find(([suffix]) => template.endsWith(suffix))?.[1];
      return { method, url: query ? `${url}?${query}` : url };
    }
    return {
      method,
      url: list || stream ? `${url}?${stream ? WINDOW.replace('&per_page=1000', '') : WINDOW}` : url,
      ...(bodies[operation] ? { payload: bodies[operation] as object } : {}),
      ...(stream ? { payloadAsStream: true, headers: { 'last-event-id': '0' } } : {}),
    };
  };

  /** The SSE backlog a stream answers with, read for a moment and then dropped. */
  const streamIds = async (response: LightMyRequestResponse) => {
    const stream = response.stream();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.destroy();
    return sorted(
      [...text.matchAll(/^data: (.*)$/gm)].map((match) => (JSON.parse(match[1] as string) as AuditEvent).id),
    );
  };

  const cases = Object.entries(TABLE).flatMap(([operation, row]) =>
    ROLES.map((role) => ({ operation, role, status: row[role] })),
  );

  it.each(cases)('$operation as $role → $status', async ({ operation, role, status }) => {
    const options = await requestFor(operation);
    const response = await call(role, options);
    const stream = options.payloadAsStream === true;
    const what = `${role} ${options.method} ${options.url}`;
    expect(response.statusCode, `${what}: ${stream ? '' : response.body}`).toBe(status);
    if (status >= 400) {
      if (stream) response.stream().destroy();
      expect(response.headers['content-type'], what).toContain('application/problem+json');
      return;
    }
    // Beyond the status: the answer holds exactly what this role may see.
    if (stream) expect(await streamIds(response), what).toEqual(expectedIds(role));
    else if (operation === 'GET /api/v1/organizations/{org}/audit-logs') {
      expect(sorted(response.json().data.map((event: AuditEvent) => event.id))).toEqual(expectedIds(role));
    } else if (operation === 'GET /api/organization/audit-logs') {
      const ids = sorted(response.json().data.map((event: AuditEvent) => event.id));
      expect(ids).toEqual(role === 'otherOrg' ? [otherEvent.id] : expectedIds(role));
    } else if (operation.endsWith('/audit-logs/export')) {
      // The stream's rows: the id is each row's first value, and the end line counts them.
      const lines = response.body
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const rows = lines.flatMap((line) => (line.rows ?? []) as string[][]);
      expect(sorted(rows.map((row) => row[0] as string))).toEqual(expectedIds(role));
      expect(lines.at(-1)).toEqual({ end: true, count: rows.length });
    } else if (operation.endsWith('/audit-logs/stats')) {
      // Counts, too, are of what this role may see only.
      const visible = (VISIBLE[role] ?? []).map((name) => known[name]?.action as string);
      const counted = response
        .json()
        .data.groups.flatMap((group: { action: string; count: number }) =>
          Array.from({ length: group.count }, () => group.action),
        );
      expect(sorted(counted)).toEqual(sorted(visible));
    } else if (operation.endsWith('/audit-logs/{id}')) {
      expect(response.json().data).toEqual(known.alice);
    } else if (operation === 'POST /api/v1/organizations/{org}/gdpr/exports') {
      const ids = new Set(response.json().data.map((event: AuditEvent) => event.id));
      const knownIds = Object.values(known).map((event) => event.id);
      expect(sorted(knownIds.filter((id) => ids.has(id)))).toEqual(
        sorted([known.mia?.id as string, known.miaPageView?.id as string]),
      );
      // Mia's email in the other organization is not this organization's business.
      expect(ids.has(otherEvent.id)).toBe(false);
    } else if (operation === 'POST /api/v1/organizations/{org}/webhooks') {
      defaultWebhooks.add(response.json().data.id);
    } else if (operation === 'DELETE /api/v1/organizations/{org}/webhooks/{id}') {
      defaultWebhooks.delete(options.url?.toString().split('/').pop() as string);
    } else if (operation === 'GET /api/v1/organizations/{org}/webhooks') {
      const ids = sorted(response.json().data.map((webhook: { id: string }) => webhook.id));
      expect(ids).toEqual(sorted(defaultWebhooks));
      expect(ids).not.toContain(otherWebhook);
    } else if (operation.endsWith('/deliveries')) {
      expect(response.json().data).toEqual([]);
    }
  });

  it("nobody reaches another organization's event or webhook by id, on either path", async () => {
    const mine = [...defaultWebhooks][0] as string;
    for (const role of ROLES) {
      for (const url of [
        `/api/v1/organizations/default/audit-logs/${otherEvent.id}`,
        `/api/v1/organizations/other/audit-logs/${known.alice?.id}`,
        `/api/v1/organizations/default/webhooks/${otherWebhook}`,
        `/api/v1/organizations/other/webhooks/${mine}`,
      ]) {
        const response = await call(role, { method: 'GET', url });
        expect([401, 403, 404], `${role} ${url}`).toContain(response.statusCode);
      }
    }
  });

  it('leaves the organization unchanged by refused writes', async () => {
    const refused = await call('member', {
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'http://127.0.0.1:9/member', actions: 'user.*' },
    });
    expect(refused.statusCode).toBe(403);
    const list = await fixture.request({ method: 'GET', url: '/api/v1/organizations/default/webhooks' });
    expect(sorted(list.json().data.map((webhook: { id: string }) => webhook.id))).toEqual(
      sorted(defaultWebhooks),
    );
    const erasure = await call('admin', {
      method: 'POST',
      url: '/api/v1/organizations/default/gdpr/erasures',
      payload: { user: 'mia@example.com' },
    });
    expect(erasure.statusCode).toBe(403);
    const mia = await fixture.request({
      method: 'GET',
      url: `/api/v1/organizations/default/audit-logs/${known.mia?.id}`,
    });
    expect(mia.json().data.actor.email).toBe('mia@example.com');
  });
});
