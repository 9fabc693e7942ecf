import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventFilter, VisibilityScope } from '../../src/domain/filters.js';
import { buildPageQuery } from '../../src/store/pg/event-query.js';
import { EVENT_COLUMNS } from '../../src/store/pg/event-rows.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// test/unit/query-plan.test.ts for PostgreSQL: every list filter, in every scope, is answered
// from an index of every partition it reads. Sequential scans are priced out (enable_seqscan
// off), so one that is left means no index could answer: the ascii_fold() expression indexes
// must match the folded comparisons, and search must use the GIN and the overflow index.

const DAY = 86_400_000;
const NOW = Date.now();
const FROM = NOW - 40 * DAY;
const TO = NOW - 10 * DAY;

const FILTERS: Record<string, EventFilter> = {
  none: {},
  category: { categories: ['auth'] },
  'category+range': { categories: ['auth'], from: FROM, toExclusive: TO },
  categories: { categories: ['auth', 'billing'] },
  action: { actions: ['tunnel.deleted'] },
  'action prefix': { actionPrefixes: ['tunnel.'] },
  actor: { actor: 'alice@example.com' },
  self: { self: { userId: 'user_a', email: 'alice@example.com' } },
  actor_id: { actorId: 'user_a' },
  target: { target: 'api-staging.example.net' },
  resource: { resource: 'Engineering' },
  ip: { ip: '203.0.113.42' },
  team_id: { teamId: 'team_1' },
  text: { text: 'declined' },
  'text+category': { text: 'declined pay', categories: ['billing'] },
  range: { from: FROM, toExclusive: TO },
  detailed: { detailed: true },
};

const SCOPES: Record<string, VisibilityScope> = {
  organization: { kind: 'organization' },
  team: { kind: 'team', teamId: 'team_1', userId: 'user_t', email: 'tom@example.com' },
  self: { kind: 'self', userId: 'user_m', email: 'mia@example.com' },
};

/**
 * The index (named as on `events`, migration 1) that must drive a page of the organization
 * scope in the partitions that hold rows: the filter's own, not a walk of the organization.
 */
const DRIVING_INDEXES: Record<string, string[]> = {
  none: ['events_pkey'],
  category: ['events_category_time'],
  action: ['events_action_time'],
  'action prefix': ['events_action_time'],
  actor: ['events_actor_id_time', 'events_actor_email_time', 'events_actor_name_time'],
  self: ['events_actor_id_time', 'events_actor_email_time'],
  actor_id: ['events_actor_id_time'],
  target: ['events_target_id_time', 'events_target_name_time'],
  resource: [
    'events_target_id_time',
    'events_target_name_time',
    'events_team_name_time',
    'events_actor_email_time',
  ],
  ip: ['events_ip_time'],
  team_id: ['events_team_time'],
  text: ['events_search', 'events_search_overflow'],
  range: ['events_pkey'],
};

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The indexes used on the given partitions (a bitmap's index scans sit below its heap scan). */
function indexesOn(plan: PlanNode, partitions: ReadonlySet<string>, inside = false): string[] {
  const here = inside || partitions.has(plan['Relation Name'] ?? '');
  const own = here && plan['Index Name'] ? [plan['Index Name']] : [];
  return [...own, ...(plan.Plans ?? []).flatMap((child) => indexesOn(child, partitions, here))];
}

describePostgres('PostgreSQL query plans: every filter is answered from an index, never a table scan', () => {
  let database: TestDatabase;
  let pool: PgPool;
  /** Partitions that hold rows, and each partition index's index on `events`. */
  let populated: Set<string>;
  let parentIndex: Map<string, string>;

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 1 });
    await pool.query(
      "INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'default', 'default', 0)",
    );
    // 20,000 events over 60 days (two or three monthly partitions), spread as query-plan.test.ts's.
    await pool.query(`INSERT INTO events (org_id, seq, id, ts, received_at, category, action, actor_id, actor_email,
        actor_name, target_id, target_name, ip_address, team_id, team_name, description, search)
      SELECT 1, i, 'log_' || i, ${NOW} - ${60 * DAY} + i * 259200, 0,
        (ARRAY['auth','billing','tunnel','team','review','security','settings','profile','access'])[i % 9 + 1],
        'action.' || (i % 40), 'user_' || (i % 50), 'u' || (i % 50) || '@example.com', 'User ' || (i % 50),
        'target_' || (i % 300), 'target-' || (i % 300), '203.0.113.' || (i % 200), 'team_' || (i % 5),
        'Team ' || (i % 5), 'payment ' || (i % 100), ('''payment'':2 ''' || (i % 100) || ''':3')::tsvector
      FROM generate_series(1::bigint, 20000) AS i`);
    await pool.query('ANALYZE events');
    const parts = await pool.query('SELECT DISTINCT tableoid::regclass::text AS name FROM events');
    populated = new Set(parts.rows.map((row) => row.name));
    const indexes = await pool.query(`SELECT c.relname AS child, p.relname AS parent FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'i'`);
    parentIndex = new Map(indexes.rows.map((row) => [row.child, row.parent]));
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it(`${Object.keys(FILTERS).length} filters × ${Object.keys(SCOPES).length} scopes, both orders and after a cursor`, async () => {
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      for (const [filterName, filter] of Object.entries(FILTERS)) {
        for (const [scopeName, scope] of Object.entries(SCOPES)) {
          for (const request of [
            { order: 'desc', limit: 50 },
            { order: 'asc', limit: 50, cursor: { order: 'asc', timestamp: FROM, seq: 100 } },
            { afterSeq: 5000, limit: 50 },
          ] as const) {
            const { sql, params } = buildPageQuery(EVENT_COLUMNS, 1, filter, scope, request);
            const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
            const plan = rows[0]['QUERY PLAN'][0].Plan as PlanNode;
            const scans = nodes(plan).filter((node) => node['Node Type'] === 'Seq Scan');
            const where = `${filterName} in scope ${scopeName}, ${JSON.stringify(request)}`;
            expect(
              scans.map((node) => node['Relation Name']),
              where,
            ).toEqual([]);
            const driving = DRIVING_INDEXES[filterName];
            if (scopeName === 'organization' && !('afterSeq' in request) && !request.cursor && driving) {
              const used = new Set(indexesOn(plan, populated).map((name) => parentIndex.get(name) ?? name));
              expect([...used].sort(), where).toEqual(expect.arrayContaining(driving));
            }
          }
        }
      }
    } finally {
      client.release();
    }
  }, 120_000);
});
