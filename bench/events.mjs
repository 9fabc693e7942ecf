// The bench's events: deterministic (seeded), spread over a year, eight categories, 200 people,
// 5,000 targets; a rare term sits in exactly ten of them. Shared by bench.mjs and the processes
// it starts (tree-server.mjs fills a database with them without HTTP).

const DAY = 86_400_000;

/** A seeded PRNG (mulberry32): the same N gives the same events every run. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CATALOGUE = {
  auth: ['user.login', 'user.logout', 'user.login_failed', 'user.two_factor_enabled'],
  security: ['security.api_token_created', 'security.ip_allowlist_updated', 'security.sso_configured'],
  team: ['team.member_added', 'team.member_removed', 'team.member_role_changed'],
  tunnel: ['tunnel.created', 'tunnel.deleted', 'tunnel.updated'],
  review: ['review.created', 'review.approved', 'review.commented'],
  billing: ['billing.invoice_paid', 'billing.plan_changed'],
  settings: ['settings.organization_updated', 'settings.webhook_updated'],
  profile: ['profile.updated', 'profile.avatar_changed'],
};
export const CATEGORY_NAMES = Object.keys(CATALOGUE);
const FIRST = ['Alice', 'Bob', 'Carol', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal'];
const LAST = ['Chen', 'Smith', 'Okafor', 'Novak', 'Garcia', 'Tanaka', 'Haddad', 'Berg', 'Silva', 'Kim'];
const TEAMS = [
  ['team_7f3a2c', 'Engineering'],
  ['team_2b9d41', 'Platform'],
  ['team_c4e81f', 'Security'],
  ['team_9a0b11', 'Support'],
];
/** The rare term of the free-text search: in exactly ten events, nowhere else. */
export const RARE_TERM = 'quokkaxylophone';

/** N events over the `days` (a year) before `end`, oldest first (ingest order is roughly time order). */
export function eventSource(total, end, days = 365) {
  const start = end - days * DAY;
  const next = random(0x5eed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const rareEvery = Math.floor(total / 10);
  const people = Array.from({ length: 200 }, (_, i) => {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    return {
      id: `user_${(0x10000 + i * 7919).toString(16)}`,
      name: `${first} ${last}${i >= 100 ? ` ${i}` : ''}`,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      team: TEAMS[i % TEAMS.length],
      ip: `203.0.${113 + (i % 3)}.${(i * 37) % 250}`,
    };
  });
  return (index) => {
    const category = pick(CATEGORY_NAMES);
    const action = pick(CATALOGUE[category]);
    const person = pick(people);
    const resource = action.split('.')[0];
    const targetId = `${resource}_${Math.floor(next() * 5000).toString(36)}`;
    const metadata = { request_id: `req_${index.toString(36)}`, reason: pick(['routine', 'ticket', 'rotation', 'cleanup']) };
    if (index % rareEvery === 7) metadata.note = `flagged by ${RARE_TERM} review`;
    return {
      timestamp: new Date(start + Math.floor(((index + next()) * days * DAY) / total)).toISOString(),
      category,
      action,
      actor: { id: person.id, name: person.name, email: person.email, type: 'user' },
      target: { type: resource, id: targetId, name: `${targetId}.example.net` },
      context: {
        ip_address: person.ip,
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
        team_id: person.team[0],
        team_name: person.team[1],
      },
      changes: action.endsWith('changed') ? { role: { old: 'member', new: 'admin' } } : null,
      metadata,
    };
  };
}

/**
 * Events for the security review's figure: `days` days before `end`, weighted to working hours,
 * with a realistic share of sign-ins (6 %), failed sign-ins (1.5 %), role changes and token
 * events (a few a day), deletions and removals (3 %), and every ten days a credential-stuffing
 * burst followed by a sign-in, a token and a deleted tunnel.
 */
export function reviewEventSource(total, end, days = 100) {
  const start = end - days * DAY;
  const next = random(0x2e71e3);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const people = Array.from({ length: 200 }, (_, i) => ({
    id: `user_${(0x20000 + i * 7919).toString(16)}`,
    email: `person${i}@example.com`,
    ips: [`203.0.113.${i % 250}`, `198.51.100.${(i * 7) % 250}`],
  }));
  const WEIGHTS = [
    ['user.login', 60],
    ['user.login_failed', 15],
    ['user.logout', 40],
    ['tunnel.started', 150],
    ['tunnel.stopped', 150],
    ['tunnel.created', 20],
    ['tunnel.deleted', 15],
    ['subdomain.removed', 10],
    ['custom_domain.removed', 5],
    ['review.triggered', 200],
    ['review.completed', 150],
    ['billing.credits_used', 80],
    ['settings.organization_updated', 5],
    ['security.api_token_created', 1],
    ['security.api_token_revoked', 0.5],
    ['team.member_role_changed', 0.2],
    ['team.member_added', 0.5],
    ['access.api_call', 100],
  ];
  const sum = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const chooseAction = () => {
    let roll = next() * sum;
    for (const [action, weight] of WEIGHTS) if ((roll -= weight) < 0) return action;
    return 'review.triggered';
  };
  const incidentEvery = Math.floor(total / (days / 10));
  let incident = [];
  return (index) => {
    const at = start + Math.floor(((index + next()) * days * DAY) / total);
    if (incident.length) return { ...incident.shift(), timestamp: new Date(at).toISOString() };
    if (index % incidentEvery === incidentEvery - 1) {
      const victim = pick(people);
      const ip = `192.0.2.${index % 250}`;
      const as = { actor: { id: victim.id, email: victim.email, type: 'user' }, context: { ip_address: ip } };
      incident = [
        ...Array.from({ length: 24 }, () => ({ action: 'user.login_failed', ...as })),
        { action: 'user.login', ...as },
        { action: 'security.api_token_created', ...as, target: { type: 'api_token', id: `tok_${index}` } },
        { action: 'tunnel.deleted', ...as, target: { type: 'tunnel', id: `tunnel_${index}` } },
      ];
      return { action: 'user.login_failed', ...as, timestamp: new Date(at).toISOString() };
    }
    const person = pick(people);
    const action = chooseAction();
    const role = action === 'team.member_role_changed' ? pick(['member', 'admin', 'owner']) : undefined;
    return {
      timestamp: new Date(at).toISOString(),
      action,
      actor: { id: person.id, email: person.email, type: 'user' },
      target: role ? { type: 'user', name: pick(people).email } : { type: action.split('.')[0], id: `t_${Math.floor(next() * 5000)}` },
      context: { ip_address: next() < 0.995 ? pick(person.ips) : `100.64.${index % 250}.${(index >> 8) % 250}` },
      changes: role ? { role: { old: 'member', new: role } } : null,
      metadata: { request_id: `req_${index.toString(36)}` },
    };
  };
}
