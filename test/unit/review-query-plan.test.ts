import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneSegments } from '../../src/domain/zone-segments.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createReviewAggregates } from '../../src/store/review-aggregates.js';
import { createReviewQueries } from '../../src/store/review-queries.js';

const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2024-02-01T00:00:00Z');
const person = { email: 'u1@example.com', id: 'user_1' };
const range = { from: FROM, to: TO };

/** 20,000 events over two months (sign-ins among them) and their hourly counts. */
function fill(db: Db): void {
  db.exec("INSERT INTO organizations (slug, name, created_at) VALUES ('default', 'default', 0)");
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
    INSERT INTO events (org_id, id, ts, received_at, category, action, actor_id, actor_email, actor_name,
      target_id, target_name, ip_address, team_id, team_name)
    SELECT 1, 'log_' || i, ${FROM} - 86400000 * 30 + i * 300000, 0,
      CASE i % 4 WHEN 0 THEN 'auth' WHEN 1 THEN 'tunnel' WHEN 2 THEN 'team' ELSE 'security' END,
      CASE i % 8 WHEN 0 THEN 'user.login' WHEN 4 THEN 'user.login_failed' WHEN 1 THEN 'tunnel.deleted'
        WHEN 2 THEN 'team.member_role_changed' WHEN 3 THEN 'security.api_token_created' ELSE 'action.' || (i % 40) END,
      'user_' || (i % 50), 'u' || (i % 50) || '@example.com', 'User ' || (i % 50),
      'target_' || (i % 300), 'target-' || (i % 300), '203.0.113.' || (i % 200), 'team_' || (i % 5), 'Team ' || (i % 5)
    FROM n`);
  db.exec(`INSERT INTO event_counts (org_id, hour, category, action, events)
    SELECT org_id, ts / 3600000, category, action, count(*) FROM events GROUP BY 1, 2, 3, 4`);
}

/** The table each review read must reach through the index named, and nothing else. */
const EXPECTED: [string, RegExp, (q: ReturnType<typeof reads>) => unknown][] = [
  ['byActions', /events_action_time/, ({ q }) => q.byActions(1, ['user.login'], range)],
  ['span', /events_action_time/, ({ q }) => q.span(1, ['user.login_failed'], FROM, TO)],
  ['firstEventTs', /events_time|events_\w+_time/, ({ q }) => q.firstEventTs(1)],
  [
    'burstRows',
    /events_action_time/,
    ({ q }) => q.burstRows(1, ['user.login_failed'], 'ip', range, { windowMs: 600_000, threshold: 2 }),
  ],
  ['firstFromIp', /events_ip_time/, ({ q }) => q.firstFromIp(1, 'user.login', '203.0.113.8', FROM, TO)],
  [
    'actorFromIp',
    /events_ip_time/,
    ({ q }) => q.actorFromIp(1, person, '203.0.113.1', { after: FROM, until: TO }, 10),
  ],
  [
    'actorActions',
    /events_action_time/,
    ({ q }) => q.actorActions(1, person, 'security.api_token_created', FROM, TO),
  ],
  ['roleBefore', /events_action_time/, ({ q }) => q.roleBefore(1, person, { ts: TO, seq: 1e9 })],
  ['distinctActions', /events_action_time/, ({ q }) => q.distinctActions(1)],
  [
    'actionByDay',
    /events_action_time/,
    ({ a, zone }) => a.actionByDay(1, 'user.login_failed', FROM, TO, zone),
  ],
  ['topKeys', /events_action_time/, ({ a }) => a.topKeys(1, 'user.login_failed', 'ip', FROM, TO, 5)],
  ['newIpLogins', /events_action_time/, ({ a }) => a.newIpLogins(1, FROM, TO, 30 * 86_400_000)],
  [
    'unusualHours',
    /events_actor_email_time/,
    ({ a, zone }) => a.unusualHours(1, { baselineFrom: FROM - 30 * 86_400_000, ...range }, zone, 20),
  ],
  [
    'idsAtHours',
    /events_actor_email_time/,
    ({ a, zone }) => a.idsAtHours(1, person, [3, 4], range, zone, 10),
  ],
  [
    'idsAtHours (no email)',
    /events_actor_id_time/,
    ({ a, zone }) => a.idsAtHours(1, { email: null, id: 'user_1' }, [3], range, zone, 10),
  ],
  [
    'dailyCategoryCounts',
    /event_counts USING PRIMARY KEY|events_category_time/,
    ({ a, zone }) => a.dailyCategoryCounts(1, FROM - 1000, TO + 1000, zone),
  ],
  [
    'dailyCategoryCounts (Asia/Kolkata)',
    /events_category_time/,
    ({ a }) => a.dailyCategoryCounts(1, FROM, TO, zoneSegments('Asia/Kolkata', FROM, TO)),
  ],
  ['categoryIds', /events_category_time/, ({ a }) => a.categoryIds(1, 'auth', FROM, TO, 10)],
];

let db: Db;
const reads = () => ({
  q: createReviewQueries(db),
  a: createReviewAggregates(db),
  zone: zoneSegments('Europe/Berlin', FROM - 60 * 86_400_000, TO),
});

/** The SQL and parameters of every statement `run` executes. */
function recorded(run: () => unknown): { sql: string; params: unknown[] }[] {
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>;
  const calls: { sql: string; params: unknown[] }[] = [];
  const originals = { all: prototype.all, get: prototype.get };
  for (const name of ['all', 'get'] as const) {
    const original = originals[name] as (...params: unknown[]) => unknown;
    prototype[name] = function (this: { source: string }, ...params: unknown[]) {
      calls.push({ sql: this.source, params });
      return original.apply(this, params);
    };
  }
  try {
    run();
  } finally {
    Object.assign(prototype, originals);
  }
  return calls;
}

// Without ANALYZE (as a server's database is) and with it: neither may turn a read into a scan.
for (const analyzed of [false, true]) {
  describe(`query plans of the security review${analyzed ? ' (after ANALYZE)' : ''}`, () => {
    beforeAll(() => {
      db = openDatabase(':memory:');
      fill(db);
      if (analyzed) db.exec('ANALYZE');
    });
    afterAll(() => db.close());

    for (const [name, index, run] of EXPECTED) {
      it(`${name} reads through ${index.source}`, () => {
        const sources = reads();
        const calls = recorded(() => run(sources));
        expect(calls.length).toBeGreaterThan(0);
        for (const { sql, params } of calls) {
          const details = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
            .map((row) => row.detail)
            .filter((detail) => /\b(events|event_counts)\b/.test(detail));
          const plan = `${sql}\n  ${details.join(' | ')}`;
          expect(details.length, plan).toBeGreaterThan(0);
          for (const detail of details) {
            expect(detail, plan).toMatch(/^SEARCH /);
            expect(detail, plan).toMatch(index);
          }
        }
      });
    }
  });
}
