import type { EventInput, JsonObject } from '../../src/domain/event.js';

/**
 * A security review's worth of events for the SQLite-versus-PostgreSQL review tests: an office
 * of people (emails in several letter cases) with a month of baseline, failed-login floods from
 * addresses and against people, a brute force that ends in a sign-in and a token, new-address
 * sign-ins, role changes by people of every standing (roles read from changes, metadata, and a
 * document PostgreSQL cannot read: U+0000), destructive bursts, a volume spike, the log's own
 * records, an erased person's pseudonymized events, and hours that cross the DST changes of
 * Europe/Berlin (2025-10-26 01:00 UTC) and America/New_York (2025-11-02 06:00 UTC).
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The reviewed range: two weeks around both DST changes. */
export const RANGE = { from: Date.UTC(2025, 9, 22), to: Date.UTC(2025, 10, 5) };
export const NOW = Date.UTC(2025, 10, 6, 12);
const BASELINE_FROM = RANGE.from - 32 * DAY;

const OFFICE = [
  ...Array.from({ length: 24 }, (_, index) => `staff${index}@example.com`),
  'ann@example.com',
  'Ben@Example.com',
  'cara@example.org',
  'dan@example.net',
  'eve@example.com',
  'Fay@Corp.example',
  'gus@example.com',
  'hal@exämple.com',
];
/** The same people as some of their events spell them (emails match without ASCII case). */
const SPELLED = (email: string, n: number) => (n % 5 === 0 ? email.toUpperCase() : email);
const ERASED = { id: 'erased-user-1a2b3c4d', name: 'erased-user-1a2b3c4d', email: null, type: 'user' };

/** A deterministic sequence of numbers in [0, 1). */
function randoms(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export function reviewTwinEvents(prefix: string, seed = 1): EventInput[] {
  const random = randoms(seed);
  const events: EventInput[] = [];
  let n = 0;
  const add = (
    action: string,
    ts: number,
    who: { email?: string | null; id?: string; ip?: string; name?: string } = {},
    rest: Partial<EventInput> = {},
  ) => {
    n++;
    events.push({
      id: `${prefix}-${String(n).padStart(6, '0')}`,
      action,
      timestamp: new Date(ts).toISOString(),
      actor: {
        email: who.email === undefined ? null : who.email,
        id: who.id ?? null,
        name: who.name ?? null,
        type: 'user',
      },
      context: { ip_address: who.ip ?? '192.0.2.10' },
      ...rest,
    });
  };

  // The office: working hours (UTC 8–16) every day of the baseline and the range.
  for (let day = BASELINE_FROM; day < RANGE.to; day += DAY) {
    OFFICE.forEach((email, index) => {
      const count = 1 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const at = day + (8 + ((index + i * 3) % 9)) * HOUR + Math.floor(random() * 59) * MINUTE;
        const action = ['document.viewed', 'tunnel.created', 'user.login', 'billing.invoice_paid'][
          i % 4
        ] as string;
        add(action, at, { email: SPELLED(email, n), ip: `192.0.2.${10 + index}` });
      }
    });
  }
  // Unusual hours in the range: 02:xx and 23:xx UTC (04/01 in Berlin before its change, 03/00 after).
  for (const [index, email] of OFFICE.slice(24, 29).entries()) {
    for (let i = 0; i < 3 + index; i++) {
      const at = RANGE.from + (2 + i) * DAY + (index % 2 ? 23 : 2) * HOUR + i * 7 * MINUTE;
      add('tunnel.deleted', at, { email: i % 2 ? email.toUpperCase() : email, ip: '198.51.100.99' });
    }
  }
  // Two spellings at one moment of an unusual hour: the first recorded names the person.
  const twice = RANGE.from + 9 * DAY + HOUR + 13 * MINUTE;
  for (const email of ['DAN@Example.NET', 'dan@example.net', 'Dan@example.net'])
    add('tunnel.deleted', twice, { email, ip: '198.51.100.98' });

  // Around the changes themselves: the hour that repeats in New York, the one Berlin skips.
  for (const at of [Date.UTC(2025, 10, 2, 5, 30), Date.UTC(2025, 10, 2, 6, 30), Date.UTC(2025, 9, 26, 0, 45)])
    for (const email of OFFICE.slice(29)) add('user.login', at, { email, ip: '192.0.2.200' });

  // Non-ASCII letters are not folded (SQLite's NOCASE, ascii_fold): two people.
  for (let i = 0; i < 12; i++)
    add('user.login_failed', Date.UTC(2025, 10, 4, 9) + i * 30_000, {
      email: i % 2 ? 'ZOË@example.com' : 'zoë@example.com',
      ip: '198.51.100.77',
    });

  // Text PostgreSQL stores escaped (U+0000, U+0001): a burst from such an address, by such a person.
  for (let i = 0; i < 11; i++)
    add('user.login_failed', Date.UTC(2025, 10, 3, 22) + i * 20_000, {
      email: i % 2 ? 'NUL\u0000@Example.com' : 'nul\u0000@example.com',
      ip: 'evil\u0000ip\u0001',
    });

  // Failed logins: a flood from one address (a burst), one against a person from many.
  const brute = Date.UTC(2025, 9, 24, 3, 10);
  for (let i = 0; i < 14; i++)
    add('user.login_failed', brute + i * 20_000, { email: `guess${i % 4}@example.com`, ip: '203.0.113.66' });
  add('user.login', brute + 20 * MINUTE, { email: 'dan@example.net', ip: '203.0.113.66' });
  add(
    'security.api_token_created',
    brute + 31 * MINUTE,
    { email: 'DAN@example.net', ip: '203.0.113.66' },
    {
      target: { type: 'api_token', id: 'tok_1', name: 'deploy' },
    },
  );
  add('tunnel.created', brute + 40 * MINUTE, { email: 'dan@example.net', ip: '203.0.113.66' });
  const spray = Date.UTC(2025, 9, 29, 14);
  for (let i = 0; i < 12; i++)
    add('user.login_failed', spray + i * 40_000, {
      email: i % 2 ? 'Eve@Example.com' : 'eve@example.com',
      ip: `198.51.100.${i}`,
    });
  for (let i = 0; i < 25; i++)
    add('user.login_failed', RANGE.from + i * 9 * HOUR, {
      id: `u-${i % 6}`,
      name: `Name ${i % 3}`,
      ip: `203.0.113.${i % 7}`,
    });

  // A new address, then a token within the hour; an unusual location with a token.
  const fresh = Date.UTC(2025, 9, 30, 10);
  add('user.login', fresh, { email: 'cara@example.org', ip: '203.0.113.200' });
  add(
    'security.api_token_created',
    fresh + 12 * MINUTE,
    { email: 'Cara@Example.org' },
    { target: { type: 'api_token', id: 'tok_2', name: 'ci' } },
  );
  add('security.unusual_login_location', fresh + 2 * DAY, { email: 'gus@example.com', ip: '203.0.113.201' });
  add('security.api_token_created', fresh + 2 * DAY + 5 * MINUTE, { email: 'gus@example.com' });
  add(
    'security.api_token_revoked',
    fresh + 3 * DAY,
    { email: 'gus@example.com' },
    { target: { type: 'api_token', id: 'tok_3' } },
  );

  // Roles: a member makes someone admin; an owner does; the roles as senders spell them.
  const roles = Date.UTC(2025, 9, 27, 9);
  const role = (
    at: number,
    actor: string,
    target: string,
    changes: JsonObject | null,
    metadata: JsonObject | null,
    action = 'team.member_role_changed',
  ) =>
    add(
      action,
      at,
      { email: actor },
      { target: { type: 'user', id: null, name: target }, changes, metadata },
    );
  role(roles - 20 * DAY, 'ann@example.com', 'Ben@Example.com', null, { role: 'member' }, 'team.member_added');
  role(roles - 19 * DAY, 'ann@example.com', 'ann@example.com', null, { role: 'owner' }, 'team.member_added');
  role(roles, 'ben@example.com', 'eve@example.com', { role: { old: 'member', new: 'admin' } }, null);
  role(roles + HOUR, 'ann@example.com', 'fay@corp.example', { role: { old: 'member', new: 'OWNER ' } }, null);
  role(roles + 2 * HOUR, 'gus@example.com', 'hal@exämple.com', { role: { new: null } }, { role: 'Admin' });
  role(
    roles + 3 * HOUR,
    'cara@example.org',
    'dan@example.net',
    { role: { new: 'a\u0000dmin' }, note: 'nul\u0000' },
    null,
  );
  role(roles + 4 * HOUR, 'nobody@example.com', 'ann@example.com', null, { role: ['owner'] });
  role(roles + 5 * HOUR, 'dan@example.net', 'eve@example.com', { role: { new: true } }, { role: 'admin' });
  add(
    'organization.owner_transferred',
    roles + 6 * HOUR,
    { id: 'system' },
    { target: { type: 'user', name: 'Ben@Example.com' } },
  );
  add('team.member_invited', roles + 7 * HOUR, ERASED, {
    target: { type: 'user', name: 'ivy@example.com' },
    metadata: { role: 'admin' },
  });

  // Destructive bursts: one person deletes eight things in five minutes; the erased person too.
  for (let i = 0; i < 8; i++)
    add(i % 2 ? 'tunnel.deleted' : 'team.member_removed', Date.UTC(2025, 10, 1, 11) + i * 35_000, {
      email: i % 3 ? 'HAL@exämple.com' : 'hal@exämple.com',
    });
  for (let i = 0; i < 6; i++) add('webhook.deleted', Date.UTC(2025, 10, 3, 4) + i * 60_000, ERASED);

  // A volume spike: billing on one day.
  for (let i = 0; i < 120; i++)
    add('billing.credits_used', Date.UTC(2025, 10, 2, 3) + i * 4 * MINUTE, { email: 'ann@example.com' });

  // The log's own records.
  const log = Date.UTC(2025, 9, 31, 1);
  add('audit.retention_purged', log, { id: 'system' }, { metadata: { count: 5 } });
  add('audit.retention_purged', log + HOUR, { id: 'system' }, { metadata: { count: 1e2 } });
  add('gdpr.user_erased', log + 2 * HOUR, { id: 'local-admin' }, { metadata: { count: '7' } });
  add('gdpr.user_erased', log + 3 * HOUR, { id: 'local-admin' }, { metadata: { count: true } });
  const settings = (at: number, changes: JsonObject) =>
    add('settings.organization_updated', at, { id: 'local-admin' }, { changes });
  settings(log + 4 * HOUR, { access_logging: { old: true, new: false } });
  settings(log + 5 * HOUR, { access_logging: { old: false, new: 'false' } });
  settings(log + 6 * HOUR, { access_logging: { old: true, new: false }, why: 'nul\u0000' });
  settings(log + 7 * HOUR, { retention_days: { old: 30, new: 7 } });
  const integration = (at: number, type: string, change: string) =>
    add(
      'settings.integration_updated',
      at,
      { email: 'ann@example.com' },
      { target: { type, id: `w${at}` }, metadata: { change } },
    );
  integration(log + 8 * HOUR, 'webhook', 'deleted');
  integration(log + 9 * HOUR, 'webhook', 'created');
  integration(log + 10 * HOUR, 'slack', 'deleted');
  add(
    'settings.integration_updated',
    log + 11 * HOUR,
    { email: 'ann@example.com' },
    {
      target: { type: 'webhook', id: 'w-nul' },
      metadata: { change: 'deleted', note: '\u0000' },
    },
  );
  add('audit.checkpoint_signed', log + 12 * HOUR, { id: 'system' });
  return events;
}
