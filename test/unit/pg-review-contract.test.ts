import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { zoneSegments } from '../../src/domain/zone-segments.js';
import { securityReview } from '../../src/review/review.js';
import { openDatabase } from '../../src/store/database.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import type { Engine, StorePort } from '../../src/store/port.js';
import { type ReviewRow, ROLE_ACTIONS } from '../../src/store/review-queries.js';
import { type SqliteEngine, sqliteEngineOf } from '../../src/store/sqlite-engine.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { DAY, HOUR, MINUTE, NOW, RANGE, reviewTwinEvents } from '../helpers/review-twin-events.js';
import { tempDir } from '../helpers/temp-dir.js';

// The security review's store (src/store/review-store.ts) through both engines: one scenario
// (test/helpers/review-twin-events.ts) recorded into each, every method and the composed review
// of src/review compared deeply. Positions differ by design (SQLite's are global, PostgreSQL's
// per organization): rows are compared without `seq`, each engine's own seq used where a method
// takes one (roleBefore).

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const now = () => NOW;

const withoutSeq = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutSeq);
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [key, withoutSeq(item)]));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'seq')
        .map(([key, item]) => [key, withoutSeq(item)]),
    );
  return value;
};

async function record(engine: Engine, slug: string, events: EventInput[]): Promise<number> {
  const { organization } = await engine.stores.directory.ensureOrganization(slug);
  // The directory answers a person's role when no earlier role event does.
  for (const [email, role] of [
    ['Ann@Example.com', 'owner'],
    ['ben@example.com', 'member'],
    ['GUS@example.com', 'admin'],
  ] as const)
    await engine.stores.directory.upsertUser(organization.id, {
      email,
      role,
      name: undefined,
      teamName: undefined,
    });
  for (let start = 0; start < events.length; start += 500)
    await engine.stores.recorder.record(organization.id, events.slice(start, start + 500));
  return organization.id;
}

/** Every method of the review store, with the arguments the review gives it and some it does not. */
async function everyMethod(stores: Pick<StorePort, 'review' | 'directory'>, orgId: number) {
  const review = stores.review;
  const { from, to } = RANGE;
  const answers: Record<string, unknown> = {};
  const all = ['user.login_failed', 'user.login', 'tunnel.deleted', 'team.member_removed', 'webhook.deleted'];
  answers.byActions = [
    await review.byActions(orgId, ROLE_ACTIONS, RANGE, { detail: 'newRole' }),
    await review.byActions(orgId, ['user.login_failed'], RANGE, { limit: 7 }),
    await review.byActions(orgId, ['audit.retention_purged', 'gdpr.user_erased'], RANGE, { detail: 'count' }),
    await review.byActions(orgId, ['settings.organization_updated'], RANGE, {
      detail: 'accessLoggingNew',
      equals: 'false',
    }),
    await review.byActions(orgId, ['settings.organization_updated'], RANGE, { detail: 'accessLoggingNew' }),
    await review.byActions(orgId, ['settings.integration_updated'], RANGE, {
      detail: 'change',
      equals: 'deleted',
    }),
    await review.byActions(orgId, ['settings.integration_updated'], RANGE, {
      detail: 'change',
      equals: 'deleted',
      limit: 1,
    }),
    await review.byActions(orgId, all, { from: from - 40 * DAY, to }, { limit: 300 }),
  ];
  answers.span = [
    await review.span(orgId, ['user.login_failed'], from, to),
    await review.span(orgId, ['nothing.at_all'], from, to),
    await review.span(orgId, ['security.api_token_created', 'security.api_token_revoked'], from, to),
  ];
  answers.firstEventTs = [await review.firstEventTs(orgId), await review.firstEventTs(999_999)];
  const burst = { windowMs: 10 * MINUTE, threshold: 10 };
  answers.burstRows = [
    await review.burstRows(orgId, ['user.login_failed'], 'ip', RANGE, burst),
    await review.burstRows(orgId, ['user.login_failed'], 'user', RANGE, burst),
    await review.burstRows(orgId, all, 'user', RANGE, { windowMs: 10 * MINUTE, threshold: 5 }),
    await review.burstRows(orgId, ['tunnel.created'], 'user', RANGE, { windowMs: DAY, threshold: 3 }),
  ];
  answers.firstFromIp = [
    await review.firstFromIp(orgId, 'user.login', '203.0.113.66', from, to),
    await review.firstFromIp(orgId, 'user.login', '203.0.113.255', from, to),
  ];
  const dan = { email: 'Dan@Example.NET', id: null };
  answers.actorFromIp = [
    await review.actorFromIp(orgId, dan, '203.0.113.66', { after: from, until: to }, 2),
    await review.actorFromIp(
      orgId,
      { email: null, id: 'u-1' },
      '203.0.113.1',
      { after: from, until: to },
      50,
    ),
  ];
  answers.actorActions = [
    await review.actorActions(orgId, dan, 'security.api_token_created', from, to),
    await review.actorActions(
      orgId,
      { email: 'gus@example.com', id: 'x' },
      'security.api_token_created',
      from,
      to,
    ),
  ];
  const roleRows = await review.byActions(
    orgId,
    ROLE_ACTIONS,
    { from: from - 40 * DAY, to },
    { detail: 'newRole' },
  );
  answers.roleBefore = [];
  for (const row of roleRows as ReviewRow[])
    (answers.roleBefore as unknown[]).push(
      await review.roleBefore(orgId, { email: row.actorEmail, id: row.actorId }, row),
      await review.roleBefore(orgId, { email: row.targetName, id: row.targetId }, row),
    );
  // Each engine's own public id: an email of one user and the id of another answer the email's.
  const ben = (await stores.directory.findUserByEmail(orgId, 'BEN@example.com'))?.publicId ?? 'missing';
  answers.directoryRole = [
    await review.directoryRole(orgId, { email: 'ANN@example.com', id: null }),
    await review.directoryRole(orgId, { email: 'nobody@example.com', id: 'nobody' }),
    await review.directoryRole(orgId, { email: null, id: ben }),
    await review.directoryRole(orgId, { email: 'gus@EXAMPLE.com', id: ben }),
    await review.directoryRole(orgId, { email: 'ann@example.com', id: ben }),
    await review.directoryRole(orgId, { email: 'nobody@example.com', id: ben }),
  ];
  answers.distinctActions = await review.distinctActions(orgId);
  for (const zone of ZONES) {
    const offsets = zoneSegments(zone, from - 32 * DAY, to);
    const ranges = [RANGE, { from: from + 17 * MINUTE + 3, to: to - 5 * HOUR - 1 }];
    answers[`aggregates ${zone}`] = {
      actionByDay: await review.actionByDay(orgId, 'user.login_failed', from, to, offsets),
      daily: await Promise.all(
        ranges.map((range) => review.dailyCategoryCounts(orgId, range.from - 31 * DAY, range.to, offsets)),
      ),
      unusual: await review.unusualHours(orgId, { baselineFrom: from - 30 * DAY, from, to }, offsets, 20),
      ids: await review.idsAtHours(
        orgId,
        { email: 'ANN@example.com', id: null },
        [2, 3, 23],
        RANGE,
        offsets,
        10,
      ),
      idsById: await review.idsAtHours(
        orgId,
        { email: null, id: 'system' },
        [1, 2, 3, 4, 5, 6, 7],
        RANGE,
        offsets,
        50,
      ),
    };
  }
  answers.topKeys = [
    await review.topKeys(orgId, 'user.login_failed', 'actor', from, to, 5),
    await review.topKeys(orgId, 'user.login_failed', 'ip', from, to, 3),
    await review.topKeys(orgId, 'tunnel.deleted', 'actor', from - 40 * DAY, to, 100),
  ];
  answers.newIpLogins = await review.newIpLogins(orgId, from, to, 30 * DAY);
  answers.categoryIds = [
    await review.categoryIds(orgId, 'billing', from, to, 50),
    await review.categoryIds(orgId, 'audit', from, to, 50),
  ];
  return withoutSeq(answers);
}

const reviews = (engine: Engine, orgId: number) =>
  Promise.all(
    ZONES.map((zone) => engine.read((stores) => securityReview(stores, { orgId, ...RANGE, zone, now: NOW }))),
  );

describePostgres('the security review on PostgreSQL answers as on SQLite', () => {
  let database: TestDatabase;
  let sqlite: SqliteEngine;
  let pg: PgEngine;
  const orgs = { sqlite: 0, pg: 0 };

  beforeAll(async () => {
    database = await migratedDatabase();
    sqlite = sqliteEngineOf(openDatabase(join(tempDir('review-contract'), 'audit.db')), now);
    pg = await openPgEngine(database.url, { now, allowUnsafe: true, poolSize: 3 });
    for (const [key, engine] of [
      ['sqlite', sqlite],
      ['pg', pg],
    ] as const) {
      orgs[key] = await record(engine, 'default', reviewTwinEvents('d'));
      // Another tenant with the same people, addresses and actions, at other times.
      await record(engine, 'acme', reviewTwinEvents('a', 7));
    }
  }, 120_000);
  afterAll(async () => {
    await sqlite?.close();
    await pg?.close();
    await database?.drop();
  });

  it('every method of the review store', async () => {
    const [fromSqlite, fromPg] = await Promise.all([
      everyMethod(sqlite.stores, orgs.sqlite),
      pg.read((stores) => everyMethod(stores, orgs.pg)),
    ]);
    expect(fromPg).toEqual(fromSqlite);
    // Outside a read, on the pool, each statement on a connection of its own: the same answers.
    const failed = ['user.login_failed'];
    expect(await pg.stores.review.span(orgs.pg, failed, RANGE.from, RANGE.to)).toEqual(
      await sqlite.stores.review.span(orgs.sqlite, failed, RANGE.from, RANGE.to),
    );
    const keys = (answers: unknown) =>
      ((answers as { burstRows: { detail: unknown }[][] }).burstRows[0] ?? []).map((row) => row.detail);
    expect(keys(fromPg)).toContain('evil\u0000ip\u0001');
    if (process.env.SHOW_REVIEW)
      console.log(JSON.stringify(fromPg, (_k, v) => (v instanceof Map ? [...v] : v)));
  }, 60_000);

  it('an organization is reviewed from its own events alone (threat: a cross-tenant leak of counts or rows)', async () => {
    // The same organization alone in an engine of its own: another tenant with the same people,
    // addresses and actions must change none of its answers.
    const alone = sqliteEngineOf(openDatabase(join(tempDir('review-alone'), 'audit.db')), now);
    try {
      const orgId = await record(alone, 'default', reviewTwinEvents('d'));
      const [fromAlone, fromPg] = await Promise.all([
        everyMethod(alone.stores, orgId),
        pg.read((stores) => everyMethod(stores, orgs.pg)),
      ]);
      expect(fromPg).toEqual(fromAlone);
      expect(await reviews(pg, orgs.pg)).toEqual(await reviews(alone, orgId));
      // And the other tenant's review is of its own events: none of default's ids.
      const acme = (await pg.stores.directory.findOrganization('acme'))?.id as number;
      const ids = (await reviews(pg, acme)).flatMap((review) =>
        review.findings.flatMap((found) => found.event_ids),
      );
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => !id.startsWith('a-'))).toEqual([]);
    } finally {
      await alone.close();
    }
  }, 60_000);

  it('the composed review, in every zone', async () => {
    const [fromSqlite, fromPg] = await Promise.all([reviews(sqlite, orgs.sqlite), reviews(pg, orgs.pg)]);
    expect(fromPg).toEqual(fromSqlite);
    // The comparison is of findings, not of empties: every rule the scenario provokes fired.
    const rules = new Set(fromPg.flatMap((review) => review.findings.map((found) => found.rule)));
    expect([...rules].sort()).toEqual([
      'api_tokens',
      'brute_force_succeeded',
      'destructive_burst',
      'failed_logins',
      'log_integrity',
      'login_burst',
      'new_login_ip',
      'role_escalation',
      'token_after_suspicious_login',
      'unusual_hour',
      'volume_spike',
    ]);
  }, 60_000);
});
