import { afterAll, beforeAll, expect, it } from 'vitest';
import { zoneSegments } from '../../src/domain/zone-segments.js';
import { createPgPool, type PgPool, type Queryable } from '../../src/store/pg/pool.js';
import { createPgReview } from '../../src/store/pg/review.js';
import type { Async } from '../../src/store/port.js';
import type { ReviewStore } from '../../src/store/review-store.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// test/unit/review-query-plan.test.ts for PostgreSQL: every statement of the review store, on
// 50,000 events of three organizations with statistics (ANALYZE), planned as the server would
// plan it. None may read `events` but through an index whose condition names the organization:
// a sequential scan, or an index walked without org_id, reads other tenants' rows.

const FROM = Date.parse('2025-01-01T00:00:00Z');
const TO = Date.parse('2025-02-01T00:00:00Z');
const DAY = 86_400_000;
const person = { email: 'U1@example.com', id: 'user_1' };
const range = { from: FROM, to: TO };
const zone = zoneSegments('Europe/Berlin', FROM - 31 * DAY, TO);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** 50,000 events: 5,000 of each of ten organizations over the same two months, and their hourly counts. */
async function fill(pool: PgPool): Promise<void> {
  await pool.query(`INSERT INTO organizations (id, slug, name, created_at)
    SELECT o, 'o' || o, 'o' || o, 0 FROM generate_series(1, 10) o`);
  await pool.query(`INSERT INTO users (org_id, public_id, email, name, role, created_at)
    SELECT 1 + i % 10, 'user_' || i, 'u' || i || '@example.com', 'U' || i, 'member', 0 FROM generate_series(1, 500) i`);
  await pool.query(`INSERT INTO events (org_id, seq, id, ts, received_at, category, action, actor_id, actor_email,
      actor_name, target_id, target_name, ip_address, team_id, team_name, changes, metadata)
    SELECT 1 + i % 10, i, 'log_' || i, ${FROM} - ${30 * DAY} + (i / 10)::bigint * ${(60 * DAY) / 5000}, 0,
      CASE i % 4 WHEN 0 THEN 'auth' WHEN 1 THEN 'tunnel' WHEN 2 THEN 'team' ELSE 'security' END,
      CASE i % 8 WHEN 0 THEN 'user.login' WHEN 4 THEN 'user.login_failed' WHEN 1 THEN 'tunnel.deleted'
        WHEN 2 THEN 'team.member_role_changed' WHEN 3 THEN 'security.api_token_created' ELSE 'action.' || (i % 40) END,
      'user_' || (i % 50), 'u' || (i % 50) || '@example.com', 'User ' || (i % 50),
      'target_' || (i % 300), 'target-' || (i % 300), '203.0.113.' || (i % 200), 'team_' || (i % 5), 'Team ' || (i % 5),
      CASE WHEN i % 8 = 2 THEN '{"role":{"old":"member","new":"admin"}}' END, '{"count":3}'
    FROM generate_series(1, 50000) i`);
  await pool.query(`INSERT INTO event_counts (org_id, hour, category, action, events)
    SELECT org_id, event_hour(ts), category, action, count(*) FROM events GROUP BY 1, 2, 3, 4`);
  await pool.query('ANALYZE');
}

/** Each method as the review calls it, on organization 1. */
const CALLS: [string, (review: Async<ReviewStore>) => Promise<unknown>][] = [
  ['byActions', (r) => r.byActions(1, ['team.member_role_changed'], range, { detail: 'newRole' })],
  ['byActions equals', (r) => r.byActions(1, ['user.login'], range, { detail: 'change', equals: 'deleted' })],
  ['span', (r) => r.span(1, ['user.login_failed'], FROM, TO)],
  ['firstEventTs', (r) => r.firstEventTs(1)],
  [
    'burstRows',
    (r) => r.burstRows(1, ['user.login_failed'], 'user', range, { windowMs: 600_000, threshold: 2 }),
  ],
  ['firstFromIp', (r) => r.firstFromIp(1, 'user.login', '203.0.113.8', FROM, TO)],
  ['actorFromIp', (r) => r.actorFromIp(1, person, '203.0.113.1', { after: FROM, until: TO }, 10)],
  ['actorActions', (r) => r.actorActions(1, person, 'security.api_token_created', FROM, TO)],
  ['roleBefore', (r) => r.roleBefore(1, { email: 'target-2', id: 'target_2' }, { ts: TO, seq: 1e9 })],
  ['directoryRole', (r) => r.directoryRole(1, person)],
  ['distinctActions', (r) => r.distinctActions(1)],
  ['actionByDay', (r) => r.actionByDay(1, 'user.login_failed', FROM, TO, zone)],
  ['topKeys', (r) => r.topKeys(1, 'user.login_failed', 'actor', FROM, TO, 5)],
  ['newIpLogins', (r) => r.newIpLogins(1, FROM, TO, 30 * DAY)],
  ['unusualHours', (r) => r.unusualHours(1, { baselineFrom: FROM - 30 * DAY, from: FROM, to: TO }, zone, 20)],
  ['idsAtHours', (r) => r.idsAtHours(1, person, [2, 3], range, zone, 50)],
  ['dailyCategoryCounts', (r) => r.dailyCategoryCounts(1, FROM - 31 * DAY, TO, zone)],
  ['categoryIds', (r) => r.categoryIds(1, 'auth', FROM, TO, 50)],
];

describePostgres('the review store on PostgreSQL reads one organization through its indexes', () => {
  let database: TestDatabase;
  let pool: PgPool;
  /** Partitions that hold no row: the planner scans them as they are, reading nothing. */
  const empty = new Set<string>();

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 1 });
    await fill(pool);
    const { rows } = await pool.query<{ name: string }>(
      "SELECT relname AS name FROM pg_class WHERE relname LIKE 'events%' AND relkind = 'r' AND reltuples <= 0",
    );
    for (const { name } of rows) empty.add(name);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('details read where PostgreSQL plans in parallel (review_json_read starts subtransactions, which a parallel query refuses)', async () => {
    const client = await pool.connect();
    try {
      await client.query('SET force_parallel_mode = on');
      const rows = await createPgReview(client).byActions(1, ['team.member_role_changed'], range, {
        detail: 'newRole',
      });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.detail === 'admin')).toBe(true);
    } finally {
      await client.query('RESET force_parallel_mode');
      client.release();
    }
  });

  for (const [name, call] of CALLS) {
    it(name, async () => {
      const plans: PlanNode[] = [];
      // Each statement is explained (and run) as the store sends it.
      const explaining = {
        async query(config: { text: string; values: unknown[]; rowMode?: 'array' }) {
          const explain = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${config.text}`,
            config.values,
          );
          const [answer] = explain.rows[0]?.['QUERY PLAN'] ?? [];
          if (answer) plans.push(answer.Plan);
          if (process.env.SHOW_PLANS) console.log(name, answer?.['Execution Time'], 'ms');
          return pool.query(config);
        },
      } as unknown as Queryable;
      await call(createPgReview(explaining));
      if (process.env.SHOW_PLANS) {
        const started = performance.now();
        await call(createPgReview(pool));
        console.log(name, 'ran in', (performance.now() - started).toFixed(1), 'ms');
      }
      expect(plans.length).toBeGreaterThan(0);
      const scans = plans.flatMap(nodes).filter((node) => node['Relation Name'] !== undefined);
      if (process.env.SHOW_PLANS)
        for (const scan of scans)
          console.log(
            name,
            scan['Node Type'],
            scan['Relation Name'],
            scan['Index Name'] ?? '',
            scan['Index Cond'] ?? scan['Recheck Cond'] ?? '',
          );
      // The directory's users are a small reference table (one row a person): not held to this.
      const reads = scans.filter(
        (node) =>
          /^event/.test(node['Relation Name'] as string) && !empty.has(node['Relation Name'] as string),
      );
      if (name !== 'directoryRole') expect(reads.length).toBeGreaterThan(0);
      expect(empty.has('events_2025_01')).toBe(false);
      for (const read of reads) {
        expect(read['Node Type'], `${name}: ${JSON.stringify(read)}`).toMatch(/Index|Bitmap Heap/);
        expect(read['Index Cond'] ?? read['Recheck Cond'], name).toMatch(/org_id = /);
      }
    });
  }
});
