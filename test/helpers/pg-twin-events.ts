import type { Category } from '../../src/domain/categories.js';
import type { AuditEvent, EventInput, JsonObject } from '../../src/domain/event.js';
import { normalizeEvent } from '../../src/domain/normalize.js';

/**
 * A deterministic mix of events for the SQLite-versus-PostgreSQL store tests: names and emails
 * in several letter cases (NOCASE columns), ties on the timestamp (the seq tiebreak), access
 * events and checkpoint records (hidden unless asked), action prefixes, metadata of every JSON
 * type, text in several scripts and emoji, U+0000 in text columns, old times
 * outside the monthly partitions (1970, 1999).
 */

const ACTORS = [
  { id: 'u1', name: 'Alice Martin', email: 'alice@example.com', type: 'user' },
  { id: 'u2', name: 'ALICE MARTIN', email: 'Alice@Example.COM', type: 'user' },
  { id: 'u3', name: 'Bob Ørsted', email: 'bob@example.org', type: 'user' },
  { id: 'u4', name: 'Zoë Café', email: 'zoe@exämple.net', type: 'user' },
  { id: 'k1', name: 'ci token', email: null, type: 'api_token' },
  { id: 'u5', name: 'Nul\u0000Byte', email: 'nul@example.com', type: 'user' },
] as const;

const ACTIONS: readonly [string, Category][] = [
  ['user.login', 'auth'],
  ['user.logout', 'auth'],
  ['user.login_failed', 'security'],
  ['team.member_added', 'team'],
  ['tunnel.created', 'tunnel'],
  ['tunnel.deleted', 'tunnel'],
  ['page.viewed', 'access'],
  ['audit.checkpoint_signed', 'audit'],
  ['billing.invoice_paid', 'billing'],
];

const TARGETS = [
  { type: 'tunnel', id: 't-1', name: 'Prod Tunnel' },
  { type: 'tunnel', id: 't-2', name: 'prod tunnel' },
  { type: 'team', id: 'team-9', name: 'Backend' },
  null,
];

const TEAMS = [
  { team_id: 'team-1', team_name: 'Platform' },
  { team_id: 'team-2', team_name: 'PLATFORM' },
  { team_id: null, team_name: null },
];

const DESCRIPTIONS = [
  'Signed in from 203.0.113.42 with alice@example.com',
  'Tunnel prod-eu-1 created by Zoë',
  'Файл удалён пользователем',
  '東京 server 🚀 deployed',
  "quote ' and backslash \\ in text",
  'Résumé naïve façade ﬁle',
  'the 2nd attempt failed; retry #3',
];

const METADATA: (JsonObject | null)[] = [
  null,
  { region: 'eu-west-1', attempts: 3, ok: true },
  { nested: { deep: ['alpha', 'beta', { gamma: 'delta epsilon' }] }, ratio: 0.25, none: null },
  { big: 1e21, tiny: 2.5e-7, flag: false, note: 'café crème' },
  { path: '/var/log/audit', emoji: '👍🏽 thumbs' },
];

/** A small PRNG (mulberry32), so every run and both engines get the same events. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

const BASE_TS = Date.UTC(2026, 10, 20, 12, 0, 0);

/** `count` event inputs; ids are e0000… so a test can name them. */
export function twinInputs(count: number, seed = 23): EventInput[] {
  const random = prng(seed);
  return Array.from({ length: count }, (_, index) => {
    const [action, category] = pick(random, ACTIONS);
    const actor = pick(random, ACTORS);
    const team = pick(random, TEAMS);
    // Whole minutes: many events share a timestamp, which the seq tiebreak must order.
    let ts = BASE_TS - Math.floor(random() * 40) * 60_000 * 60 * 24;
    if (index % 37 === 5) ts = Date.UTC(1999, 0, 1) + index; // the default partition
    if (index % 53 === 7) ts = 86_400_000 * 3 + index; // 1970: the default partition too
    return {
      id: `e${String(index).padStart(4, '0')}`,
      timestamp: new Date(ts).toISOString(),
      category,
      action,
      description: pick(random, DESCRIPTIONS),
      actor: { ...actor },
      target: pick(random, TARGETS),
      context: {
        ip_address: random() < 0.5 ? '203.0.113.42' : '198.51.100.7',
        user_agent: 'agent/1.0',
        ...team,
      },
      changes: random() < 0.3 ? { before: { name: 'old' }, after: { name: 'new' } } : null,
      metadata: pick(random, METADATA),
    };
  });
}

export function normalizeAll(inputs: readonly EventInput[], receivedAt: number): AuditEvent[] {
  let next = 0;
  return inputs.map((input) => normalizeEvent(input, { receivedAt, newId: () => `gen${next++}` }));
}
