import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { StatsGroup, StatsResult } from '../../src/domain/stats.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs/stats';
// `to` is inclusive, as in the list: a date is its whole (UTC) day.
const JANUARY = 'from=2024-01-01&to=2024-01-31';

const alice = { id: 'user_a', name: 'Alice Chen', email: 'alice@example.com', type: 'user' as const };
const bob = { id: 'user_b', name: 'Bob Martinez', type: 'user' as const };
const eng = { team_id: 'team_eng', team_name: 'Engineering' };

const JANUARY_EVENTS: EventInput[] = [
  {
    action: 'user.login',
    timestamp: '2024-01-01T09:00:00Z',
    actor: alice,
    context: { ...eng, ip_address: '203.0.113.42' },
  },
  {
    action: 'user.login',
    timestamp: '2024-01-02T09:00:00Z',
    actor: alice,
    context: { ip_address: '203.0.113.42' },
  },
  {
    action: 'user.login_failed',
    timestamp: '2024-01-02T10:00:00Z',
    actor: { email: 'eve@example.com' },
    context: { ip_address: '198.51.100.77' },
  },
  {
    action: 'user.login_failed',
    timestamp: '2024-01-02T10:01:00Z',
    actor: { email: 'eve@example.com' },
    context: { ip_address: '198.51.100.77' },
  },
  {
    action: 'tunnel.deleted',
    timestamp: '2024-01-15T14:32:18Z',
    actor: alice,
    target: { type: 'tunnel', id: 'tunnel_x', name: 'api.example.net' },
    context: eng,
  },
  {
    action: 'tunnel.created',
    timestamp: '2024-01-31T23:59:59.999Z',
    actor: bob,
    target: { type: 'tunnel', id: 'tunnel_y' },
    context: { team_id: 'team_ops' },
  },
  {
    action: 'billing.payment_failed',
    timestamp: '2024-01-20T00:00:00Z',
    actor: { type: 'system', name: 'System' },
  },
  // Hidden unless asked for: a page view, and the server's own checkpoint record.
  { action: 'access.page_viewed', timestamp: '2024-01-20T12:00:00Z', actor: alice },
];

/** Europe/Berlin: summer time began 2024-03-31 at 02:00 (01:00Z) and ended 2024-10-27 at 03:00 (01:00Z). */
const BERLIN_EVENTS: EventInput[] = [
  { action: 'user.login', timestamp: '2024-03-30T23:30:00Z', actor: alice }, // 00:30+01:00 on the 31st
  { action: 'user.login', timestamp: '2024-03-31T00:30:00Z', actor: alice }, // 01:30+01:00
  { action: 'user.login', timestamp: '2024-03-31T01:30:00Z', actor: alice }, // 03:30+02:00
  { action: 'user.logout', timestamp: '2024-03-31T21:59:59Z', actor: alice }, // 23:59:59+02:00
  { action: 'user.logout', timestamp: '2024-03-31T22:00:00Z', actor: alice }, // 2024-04-01 00:00+02:00
  { action: 'user.login', timestamp: '2024-10-27T00:30:00Z', actor: alice }, // 02:30+02:00
  { action: 'user.login', timestamp: '2024-10-27T01:30:00Z', actor: alice }, // 02:30+01:00
  { action: 'user.login', timestamp: '2024-10-27T01:45:00Z', actor: alice }, // 02:45+01:00
];

/** Asia/Kolkata is UTC+05:30 all year. */
const KOLKATA_EVENTS: EventInput[] = [
  { action: 'deploy.started', timestamp: '2024-06-01T18:29:59Z', actor: bob }, // 23:59:59 on June 1
  { action: 'deploy.started', timestamp: '2024-06-01T18:30:00Z', actor: bob }, // 00:00 on June 2
  { action: 'deploy.started', timestamp: '2024-06-01T19:10:00Z', actor: bob }, // 00:40 on June 2
];

describe('GET audit-logs/stats', () => {
  let fixture: Fixture;
  const get = async (query: string, token?: string) => {
    const response = await fixture.request({ method: 'GET', url: `${URL}?${query}`, token });
    return response;
  };
  const stats = async (query: string, token?: string): Promise<StatsResult> => {
    const response = await get(query, token);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data;
  };
  const groups = async (query: string, token?: string): Promise<StatsGroup[]> =>
    (await stats(query, token)).groups;

  beforeAll(async () => {
    fixture = await createFixture();
    await fixture.ingest([...JANUARY_EVENTS, ...BERLIN_EVENTS, ...KOLKATA_EVENTS]);
    // The server's own checkpoint record (the API refuses the reserved action from a client).
    const { services } = fixture.app;
    const orgId = services.sqlite.directory.findOrganization('default')?.id as number;
    services.sqlite.recorder.record(orgId, [
      {
        action: 'audit.checkpoint_signed',
        timestamp: '2024-01-21T12:00:00Z',
        actor: { type: 'system', name: 'System' },
      },
    ]);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('counts by category, largest first, ties by key, access and checkpoint records hidden', async () => {
    const answer = await stats(`group_by=category&${JANUARY}`);
    expect(answer).toEqual({
      group_by: ['category'],
      time_zone: 'UTC',
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-02-01T00:00:00.000Z',
      total: 7,
      top: null,
      groups: [
        { category: 'auth', count: 4 },
        { category: 'tunnel', count: 2 },
        { category: 'billing', count: 1 },
      ],
    });
  });

  it('shows access events with detailed or category=access, and checkpoint records when named exactly', async () => {
    expect(await groups(`group_by=category&detailed=true&${JANUARY}`)).toContainEqual({
      category: 'access',
      count: 1,
    });
    expect(await groups(`group_by=action&category=access&${JANUARY}`)).toEqual([
      { action: 'access.page_viewed', count: 1 },
    ]);
    expect(await groups(`group_by=action&action=audit.checkpoint_signed&${JANUARY}`)).toEqual([
      { action: 'audit.checkpoint_signed', count: 1 },
    ]);
  });

  it('groups by actor (email, else id, else name), ip, team (name, else id) and target (name, else id); null when missing', async () => {
    expect(await groups(`group_by=actor&${JANUARY}`)).toEqual([
      { actor: 'alice@example.com', count: 3 },
      { actor: 'eve@example.com', count: 2 },
      { actor: 'System', count: 1 },
      { actor: 'user_b', count: 1 },
    ]);
    expect(await groups(`group_by=ip&${JANUARY}`)).toEqual([
      { ip: null, count: 3 },
      { ip: '198.51.100.77', count: 2 },
      { ip: '203.0.113.42', count: 2 },
    ]);
    expect(await groups(`group_by=team&${JANUARY}`)).toEqual([
      { team: null, count: 4 },
      { team: 'Engineering', count: 2 },
      { team: 'team_ops', count: 1 },
    ]);
    expect(await groups(`group_by=target&${JANUARY}`)).toEqual([
      { target: null, count: 5 },
      { target: 'api.example.net', count: 1 },
      { target: 'tunnel_y', count: 1 },
    ]);
  });

  it('groups by two dimensions, comma-separated or repeated, in either order', async () => {
    const expected = [
      { category: 'auth', action: 'user.login', count: 2 },
      { category: 'auth', action: 'user.login_failed', count: 2 },
      { category: 'billing', action: 'billing.payment_failed', count: 1 },
      { category: 'tunnel', action: 'tunnel.created', count: 1 },
      { category: 'tunnel', action: 'tunnel.deleted', count: 1 },
    ];
    expect(await groups(`group_by=category,action&${JANUARY}`)).toEqual(expected);
    expect(await groups(`group_by=category&group_by=action&${JANUARY}`)).toEqual(expected);
    // Either order groups the same; the answer's keys follow the schema's order.
    expect(await groups(`group_by=action,category&${JANUARY}`)).toEqual(expected);
  });

  it('takes the list’s other filters: free text, actor, ip (counted from the events)', async () => {
    expect(await groups(`group_by=action&q=api.example&${JANUARY}`)).toEqual([
      { action: 'tunnel.deleted', count: 1 },
    ]);
    expect(await groups(`group_by=day&actor=alice@example.com&from=2024-01-01&to=2024-01-02`)).toEqual([
      { day: '2024-01-01', count: 1 },
      { day: '2024-01-02', count: 1 },
    ]);
    expect(await groups(`group_by=ip,action&ip=198.51.100.77&${JANUARY}`)).toEqual([
      { ip: '198.51.100.77', action: 'user.login_failed', count: 2 },
    ]);
  });

  it('keeps the top N and sums the rest as other, with null keys', async () => {
    const answer = await stats(`group_by=actor&top=2&${JANUARY}`);
    expect(answer.top).toBe(2);
    expect(answer.total).toBe(7);
    expect(answer.groups).toEqual([
      { actor: 'alice@example.com', count: 3 },
      { actor: 'eve@example.com', count: 2 },
      { actor: null, count: 2, other: true },
    ]);
  });

  it('counts every day of the range, empty days as zero, the top series and other per day', async () => {
    const answer = await stats('group_by=day,category&top=1&from=2024-01-01&to=2024-01-03');
    expect(answer.groups).toEqual([
      { day: '2024-01-01', category: 'auth', count: 1 },
      { day: '2024-01-02', category: 'auth', count: 3 },
      { day: '2024-01-03', category: null, count: 0 },
    ]);
    const days = await groups(`group_by=day&${JANUARY}`);
    expect(days).toHaveLength(31);
    expect(days.reduce((sum, group) => sum + group.count, 0)).toBe(7);
    expect(days[2]).toEqual({ day: '2024-01-03', count: 0 });
    const ranked = await groups('group_by=category,day&top=1&from=2024-01-15&to=2024-01-20');
    expect(ranked.filter((group) => group.count > 0)).toEqual([
      // billing and tunnel tie at 1: the key decides, billing first.
      { category: null, day: '2024-01-15', count: 1, other: true },
      { category: 'billing', day: '2024-01-20', count: 1 },
    ]);
  });

  it('starts at the first matching event when no from is given', async () => {
    const answer = await stats('group_by=day&action=user.login_failed&to=2024-01-02');
    expect(answer.from).toBe('2024-01-02T10:00:00.000Z');
    expect(answer.groups).toEqual([{ day: '2024-01-02', count: 2 }]);
    const none = await stats('group_by=day&action=nothing.matches&to=2024-01-02');
    expect(none).toMatchObject({ from: null, total: 0, groups: [] });
  });

  it('cuts days in the zone asked for, across the week summer time begins in Europe/Berlin', async () => {
    const query =
      'group_by=day&tz=Europe/Berlin&from=2024-03-28T00:00:00%2B01:00&to=2024-04-02T23:59:59.999%2B02:00';
    const answer = await stats(query);
    expect(answer.time_zone).toBe('Europe/Berlin');
    expect(answer.groups).toEqual([
      { day: '2024-03-28', count: 0 },
      { day: '2024-03-29', count: 0 },
      { day: '2024-03-30', count: 0 },
      { day: '2024-03-31', count: 4 },
      { day: '2024-04-01', count: 1 },
      { day: '2024-04-02', count: 0 },
    ]);
  });

  it('shows the fall-back hour twice, with each offset, and skips the hour summer time leaves out', async () => {
    const fall = await groups(
      'group_by=hour&tz=Europe/Berlin&from=2024-10-27T00:00:00%2B02:00&to=2024-10-27T04:59:59.999%2B01:00',
    );
    expect(fall).toEqual([
      { hour: '2024-10-27T00:00+02:00', count: 0 },
      { hour: '2024-10-27T01:00+02:00', count: 0 },
      { hour: '2024-10-27T02:00+02:00', count: 1 },
      { hour: '2024-10-27T02:00+01:00', count: 2 },
      { hour: '2024-10-27T03:00+01:00', count: 0 },
      { hour: '2024-10-27T04:00+01:00', count: 0 },
    ]);
    const spring = await groups(
      'group_by=hour&tz=Europe/Berlin&from=2024-03-31T00:00:00%2B01:00&to=2024-03-31T04:59:59.999%2B02:00',
    );
    expect(spring.map((group) => [group.hour, group.count])).toEqual([
      ['2024-03-31T00:00+01:00', 1],
      ['2024-03-31T01:00+01:00', 1],
      ['2024-03-31T03:00+02:00', 1],
      ['2024-03-31T04:00+02:00', 0],
    ]);
  });

  it('cuts hours and days at half past in Asia/Kolkata', async () => {
    const range = 'from=2024-06-01T17:00:00Z&to=2024-06-01T19:59:59.999Z';
    expect(await groups(`group_by=hour&tz=Asia/Kolkata&${range}`)).toEqual([
      { hour: '2024-06-01T22:00+05:30', count: 0 },
      { hour: '2024-06-01T23:00+05:30', count: 1 },
      { hour: '2024-06-02T00:00+05:30', count: 2 },
      { hour: '2024-06-02T01:00+05:30', count: 0 },
    ]);
    expect(await groups(`group_by=day&tz=Asia/Kolkata&${range}`)).toEqual([
      { day: '2024-06-01', count: 1 },
      { day: '2024-06-02', count: 2 },
    ]);
  });

  it('counts for a member only their own events, for a team admin their team’s and their own', async () => {
    const { tokens } = fixture;
    const me = async (token: string) =>
      (await fixture.request({ method: 'GET', url: '/api/v1/me', token })).json().user as {
        id: string;
        team: { id: string } | null;
      };
    const mia = await me(tokens.member);
    const tom = await me(tokens.teamAdmin);
    const may = 'from=2024-05-01&to=2024-05-31';
    await fixture.ingest([
      {
        action: 'user.login',
        timestamp: '2024-05-02T00:00:00Z',
        actor: { id: mia.id, email: 'mia@example.com' },
      },
      {
        action: 'user.login',
        timestamp: '2024-05-03T00:00:00Z',
        actor: { id: mia.id, email: 'mia@example.com' },
      },
      {
        action: 'tunnel.created',
        timestamp: '2024-05-04T00:00:00Z',
        actor: { id: 'user_x' },
        context: { team_id: tom.team?.id },
      },
      { action: 'tunnel.deleted', timestamp: '2024-05-05T00:00:00Z', actor: { id: 'user_y' } },
    ]);
    expect(await groups(`group_by=action&${may}`, tokens.member)).toEqual([
      { action: 'user.login', count: 2 },
    ]);
    expect(await groups(`group_by=action&${may}`, tokens.teamAdmin)).toEqual([
      { action: 'tunnel.created', count: 1 },
    ]);
    expect((await stats(`group_by=action&${may}`, tokens.admin)).total).toBe(4);
    const refused = await get(`group_by=action&${may}`, tokens.ingest);
    expect(refused.statusCode).toBe(403);
  });

  it.each([
    ['group_by=colour', 'group_by', 'unknown dimension "colour"'],
    ['group_by=day,hour', 'group_by', 'at most one of day and hour'],
    ['group_by=day,category,action', 'group_by', 'at most two dimensions'],
    ['group_by=ip,ip', 'group_by', 'names ip twice'],
    ['group_by=day&top=5', 'top', 'needs a dimension other than day and hour'],
    ['group_by=ip&top=0', 'top', ''],
    ['group_by=ip&top=1001', 'top', ''],
    ['group_by=day&tz=Mars/Olympus', 'tz', 'IANA time zone'],
    ['group_by=ip&category=nope', 'category', 'unknown category'],
    ['group_by=ip&since=soon', 'since', ''],
    ['top=3', 'group_by', ''],
    ['group_by=hour&from=2023-01-01T00:00:00Z&to=2024-06-01T00:00:00Z', 'group_by', 'group by day'],
    ['group_by=day&from=1990-01-01T00:00:00Z&to=2024-06-01T00:00:00Z', 'group_by', 'more than 10,000 days'],
  ])('answers %s with 400 naming %s', async (query, param, detail) => {
    const response = await get(query);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().param).toBe(param);
    expect(response.json().detail).toContain(detail);
  });
});
