import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { EventFilter, VisibilityScope } from '../../src/domain/filters.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees, type PerfectSubtrees, subtreeHash } from '../../src/domain/merkle/subtrees.js';
import { tokenPrefix } from '../../src/domain/token-text.js';
import { openDatabase } from '../../src/store/database.js';
import type { StoredEvent } from '../../src/store/event-rows.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { withPgSubtrees } from '../../src/store/pg/merkle-subtrees.js';
import type { Engine } from '../../src/store/port.js';
import { type SqliteEngine, sqliteEngineOf } from '../../src/store/sqlite-engine.js';
import type { StatsRequest } from '../../src/store/stats-store.js';
import { twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The store port's contract: one scenario through the SQLite engine and the PostgreSQL one,
// answers compared deeply. Where the engines legitimately differ it is said and normalized:
// - positions: SQLite's sequence is global (and AUTOINCREMENT spends one on a duplicate id),
//   PostgreSQL's is per organization and gap-free; answers are compared by event id, and each
//   engine's positions checked against its own rule;
// - random public ids and token secrets: masked;
// - a lone surrogate: stored by SQLite as its three bytes (read back as three U+FFFD on Node
//   20), by PostgreSQL as one U+FFFD (pg encodes text with Buffer.from): runs of U+FFFD are
//   compared as one.

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const now = () => NOW;

/** Every key of a stats answer is text a sender chose (test/server/stats-hostile.test.ts). */
const HOSTILE = [
  '__proto__',
  'constructor',
  '{"__proto__":{"polluted":true}}',
  'null',
  '',
  'x'.repeat(10_000),
  '\u001b]52;c;cm0gLXJmIH4=\u0007',
  '\u001b[2J\u001b[31mred\r\n\u0000nul',
  '\u0001 escape \u00010',
  'admin\u202e\u2066gpj.exe\u2069',
  '💥'.repeat(100),
  'ALICE', // folded by nothing: another key than 'alice'
  'alice',
  '\ud83d',
];

function hostileInputs(): EventInput[] {
  return HOSTILE.flatMap((text, index) =>
    Array.from({ length: index + 1 }, (_, n) => ({
      id: `h${index}-${n}`,
      action: index % 2 ? 'user.login' : 'user.logout',
      timestamp: new Date(Date.UTC(2026, 10, 1 + (index % 28), index, n)).toISOString(),
      actor: { id: text, name: text },
      target: { type: 'document', id: text },
      context: { ip_address: text, team_name: text },
    })),
  );
}

const STATS: [string, EventFilter, VisibilityScope, Omit<StatsRequest, 'now'>][] = [
  ['by category (rollup)', {}, { kind: 'organization' }, { dimensions: ['category'], timeZone: 'UTC' }],
  [
    'by action, scanned',
    {},
    { kind: 'organization' },
    { dimensions: ['action'], timeZone: 'UTC', forceScan: true },
  ],
  ['by actor', {}, { kind: 'organization' }, { dimensions: ['actor'], timeZone: 'UTC' }],
  ['by ip, top 3', {}, { kind: 'organization' }, { dimensions: ['ip'], timeZone: 'UTC', top: 3 }],
  ['by team', {}, { kind: 'organization' }, { dimensions: ['team'], timeZone: 'UTC' }],
  ['by target', {}, { kind: 'organization' }, { dimensions: ['target'], timeZone: 'UTC' }],
  [
    'by day and actor, top 3, in a zone',
    { from: Date.UTC(2026, 10, 1), toExclusive: Date.UTC(2026, 11, 1) },
    { kind: 'organization' },
    { dimensions: ['day', 'actor'], timeZone: 'America/New_York', top: 3 },
  ],
  [
    'by hour and action, ragged range (rollup + scan)',
    { from: Date.UTC(2026, 10, 2, 0, 30), toExclusive: Date.UTC(2026, 10, 9, 5, 17) },
    { kind: 'organization' },
    { dimensions: ['hour', 'action'], timeZone: 'UTC' },
  ],
  [
    'by day, half-hour zone',
    { from: Date.UTC(2026, 10, 1), toExclusive: Date.UTC(2026, 11, 1) },
    { kind: 'organization' },
    { dimensions: ['day'], timeZone: 'Asia/Kolkata' },
  ],
  [
    'filtered by actor, by target',
    { actor: 'alice' },
    { kind: 'organization' },
    { dimensions: ['target'], timeZone: 'UTC' },
  ],
  [
    'self scope, by category',
    {},
    { kind: 'self', userId: 'ALICE', email: 'nobody@example.com' },
    { dimensions: ['category'], timeZone: 'UTC' },
  ],
  [
    'nothing matches',
    { actor: 'nobody' },
    { kind: 'organization' },
    { dimensions: ['actor'], timeZone: 'UTC' },
  ],
];

/** What a scenario answered, positions replaced by event ids (see the header). */
type Answers = Record<string, unknown>;

/**
 * A lone surrogate as each engine gives it back: SQLite stores its (invalid) UTF-8 bytes and
 * reads them as three U+FFFD; PostgreSQL stores it escaped and gives it back exactly
 * (text-escape.ts). Both stored it as distinct text; the comparison sees one U+FFFD.
 */
const LONE_SURROGATE_AS_READ =
  /\ufffd{1,3}|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Masks random public ids and token secrets; turns a lone surrogate as read into one U+FFFD. */
function normalize(value: unknown, masks: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (masks.has(value)) return masks.get(value);
    if (/^(user|team)_[0-9a-f]+$/.test(value)) return `${value.split('_')[0]}_*`;
    return value.replace(LONE_SURROGATE_AS_READ, '\ufffd');
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, masks));
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalize(item, masks)]));
  return value;
}

async function scenario(engine: Engine): Promise<Answers> {
  const { directory, events, recorder, merkle, stats } = engine.stores;
  const answers: Answers = {};
  const masks = new Map<string, string>();

  // Directory.
  answers.created = await directory.ensureOrganization('default');
  answers.again = await directory.ensureOrganization('default');
  const acme = (await directory.ensureOrganization('acme')).organization;
  const org = (answers.created as { organization: { id: number } }).organization.id;
  answers.bySlug = [await directory.findOrganization('default'), await directory.findOrganization('DEFAULT')];
  await directory.setPlan(acme.id, 'free', 30);
  await directory.setAccessLogging(org, true);
  answers.orgs = [await directory.listOrganizations(), await directory.organizationById(acme.id)];
  answers.alice = await directory.upsertUser(org, {
    email: 'Alice@Example.com',
    name: undefined,
    role: 'owner',
    teamName: 'Platform',
  });
  answers.aliceAgain = await directory.upsertUser(org, {
    email: 'alice@example.COM',
    name: 'Alice',
    role: 'admin',
    teamName: 'PLATFORM',
  });
  const bob = (
    await directory.upsertUser(org, {
      email: 'bob@example.org',
      name: 'Bob',
      role: 'member',
      teamName: undefined,
    })
  ).user;
  await directory.upsertUser(acme.id, {
    email: 'alice@example.com',
    name: 'A',
    role: 'owner',
    teamName: 'Ops',
  });
  // U+0000 and the escape character: PostgreSQL stores them escaped (text-escape.ts).
  answers.nul = await directory.upsertUser(acme.id, {
    email: 'nul\u0000@x\u0001.org',
    name: 'N\u0000ul',
    role: 'member',
    teamName: 'T\u0000eam',
  });
  answers.nulAgain = [
    await directory.findUserByEmail(acme.id, 'NUL\u0000@X\u0001.ORG'),
    await directory.ensureOrganization('slug\u0000'),
    await directory.findOrganization('slug\u0000'),
  ];
  answers.users = [
    await directory.countUsers(org),
    await directory.countUsers(acme.id),
    await directory.findUserByEmail(org, 'ALICE@EXAMPLE.COM'),
    await directory.findUserByEmail(org, 'älice@example.com'),
  ];
  const alice = (answers.aliceAgain as { user: { id: number } }).user;
  const read = await directory.createToken(alice.id, 'read', 'ci');
  const ingest = await directory.createToken(bob.id, 'ingest');
  masks.set(read.token, '<read token>').set(ingest.token, '<ingest token>');
  masks.set(read.record.prefix, '<read prefix>').set(ingest.record.prefix, '<ingest prefix>');
  answers.tokens = [
    read.record,
    ingest.record,
    await directory.listTokens(org),
    await directory.listTokens(acme.id),
  ];
  answers.byPrefix = [
    await directory.findTokensByPrefix(org, tokenPrefix(read.token).slice(0, 8)),
    await directory.findTokensByPrefix(acme.id, tokenPrefix(read.token)),
  ];
  const wrongSecret = `${read.token.slice(0, -1)}${read.token.endsWith('A') ? 'B' : 'A'}`;
  answers.auth = [
    await directory.authenticate(read.token),
    await directory.authenticate(wrongSecret),
    await directory.authenticate('not a token'),
  ];
  await directory.revokeToken(ingest.record.id);
  answers.revoked = [
    await directory.authenticate(ingest.token),
    await directory.authenticateById(ingest.record.id),
    await directory.authenticateById(read.record.id),
    await directory.authenticateById(9999),
  ];

  // Recorder and events: a batch with a repeat inside it and a repeat of a recorded id.
  const recorded = await recorder.record(org, twinInputs(3));
  const [first, second] = twinInputs(5).slice(3);
  const batch = await recorder.record(org, [
    first as EventInput,
    second as EventInput,
    { ...(first as EventInput), description: 'a repeat in the batch' },
    { ...(twinInputs(1)[0] as EventInput), description: 'a repeat of a recorded event' },
  ]);
  // An id with U+0000 and the escape character, early in time so that it gets a leaf.
  const nulId = await recorder.record(org, [
    { ...(first as EventInput), id: 'nul\u0000id\u0001', timestamp: '1999-12-31T00:00:00Z' },
  ]);
  const hostile = await recorder.record(org, hostileInputs());
  const idOf = new Map<number, string>();
  const positioned = (stored: readonly StoredEvent[]) =>
    stored.map(({ seq, ...rest }) => {
      idOf.set(seq, rest.event.id);
      return rest;
    });
  answers.recorded = { ...recorded, stored: positioned(recorded.stored) };
  answers.batch = { ...batch, stored: positioned(batch.stored) };
  answers.hostileCreated = hostile.created;
  positioned(hostile.stored);
  positioned(nulId.stored);
  const seqOf = new Map([...idOf].map(([seq, id]) => [id, seq]));
  const ids = (stored: readonly StoredEvent[]) => stored.map((event) => event.event.id);
  const page = await events.page(
    org,
    { detailed: true },
    { kind: 'organization' },
    { order: 'asc', limit: 500 },
  );
  answers.page = { ids: ids(page.events), hasMore: page.hasMore };
  const json = await events.pageJson(
    org,
    { categories: ['auth'] },
    { kind: 'organization' },
    { order: 'desc', limit: 7 },
  );
  answers.pageJson = {
    events: json.events.map((text) => JSON.parse(text)),
    hasMore: json.hasMore,
    last: json.last && { id: json.last.id, ts: json.last.ts },
  };
  const self: VisibilityScope = { kind: 'self', userId: 'u3', email: 'nobody@example.com' };
  const visible = page.events.find((stored) => stored.event.actor?.id === 'u3') as StoredEvent;
  const hidden = page.events.find((stored) => stored.event.actor?.id !== 'u3') as StoredEvent;
  answers.findVisible = [
    (await events.findVisible(org, visible.event.id, self))?.event.id,
    await events.findVisible(org, hidden.event.id, self),
  ];
  const chunks: unknown[] = [];
  let cursor: { order: 'asc'; timestamp: number; seq: number } | undefined;
  for (let round = 0; round < 50; round++) {
    const chunk = await events.exportChunk(
      org,
      { detailed: true },
      { kind: 'organization' },
      {
        cursor,
        maxRows: 40,
        maxBytes: 20_000,
      },
    );
    if (chunk.count === 0) break;
    chunks.push({ rows: JSON.parse(`[${chunk.rows.toString('utf8')}]`), count: chunk.count });
    cursor = chunk.last && { order: 'asc', timestamp: chunk.last.ts, seq: chunk.last.seq };
  }
  answers.exportChunks = chunks;
  answers.findById = positioned([(await events.findById(org, 'e0001')) as StoredEvent]);
  answers.findByIdElsewhere = await events.findById(acme.id, 'e0001');
  const e0003 = seqOf.get('e0003') as number;
  answers.findBySeq = [
    (await events.findBySeq(org, e0003))?.event.id,
    await events.findBySeq(acme.id, e0003),
  ];
  answers.readFrom = ids(await events.readFrom(org, e0003, 4));
  const maxSeq = await events.maxSeq(org);
  answers.maxSeq = idOf.get(maxSeq);
  answers.endSeqCoversMax = (await events.endSeq(org)) >= maxSeq;

  // Stats.
  answers.stats = [];
  for (const [, filter, scope, request] of STATS)
    (answers.stats as unknown[]).push(await stats.stats(org, filter, scope, { ...request, now: NOW }));

  // Merkle: leaves for the first 11 events but one, in two appends; checkpoints.
  const sealed = page.events.slice(0, 12).filter((_, index) => index !== 6);
  const leafOf = (stored: StoredEvent) => {
    const digest = (tag: string) => createHash('sha256').update(`${tag}:${stored.event.id}`).digest();
    return {
      orgId: org,
      eventSeq: stored.seq,
      eventId: stored.event.id,
      timestamp: stored.event.timestamp,
      category: stored.event.category,
      commitment: digest('commitment'),
      salt: digest('salt'),
      hash: digest('leaf'),
    };
  };
  await engine.write(async (tx) => tx.merkle.append(sealed.slice(0, 5).map(leafOf)));
  await engine.write(async (tx) => tx.merkle.append(sealed.slice(5).map(leafOf)));
  const root = Buffer.alloc(32, 7);
  await merkle.addCheckpoint(org, { treeSize: 5, root, signedAt: NOW - 1, note: 'five\n' });
  await merkle.addCheckpoint(org, { treeSize: 11, root, signedAt: NOW, note: 'eleven\n' });
  const leafIds = <T extends { eventSeq: number }>(leaves: readonly T[]) =>
    leaves.map(({ eventSeq, ...rest }) => ({ ...rest, event: idOf.get(eventSeq) }));
  const iterated = [];
  for await (const leaf of merkle.iterateLeaves(org, 2, 9)) iterated.push(leaf);
  const leafRows = await merkle.leafRows(org, 3, 10);
  answers.merkle = {
    size: await merkle.size(org),
    sealed: idOf.get(await merkle.sealedSeq(org)),
    leaves: leafIds(await merkle.leaves(org, 0, 100)),
    iterated: leafIds(iterated),
    leafRows: {
      rows: JSON.parse(String(leafRows.rowsJson)),
      unsealed: leafRows.unsealed.map((text) => JSON.parse(text)),
    },
    firstPage: JSON.parse(String((await merkle.leafRows(org, 0, 3)).rowsJson)),
    emptyPage: await merkle.leafRows(org, 50, 60),
    leafOfEvent: await merkle.leafOfEvent(org, (sealed[1] as StoredEvent).seq),
    unsealedLeaf: await merkle.leafOfEvent(org, sealed.length > 6 ? (page.events[6] as StoredEvent).seq : 0),
    positionsOf: await merkle.positionsOf(org, [
      (sealed[2] as StoredEvent).seq,
      (page.events[6] as StoredEvent).seq,
      (sealed[0] as StoredEvent).seq,
    ]),
    seqAt: idOf.get((await merkle.seqAt(org, 7)) as number),
    leafOfSeq: leafIds([
      (await merkle.leafOfSeq(org, (sealed[3] as StoredEvent).seq)) as { eventSeq: number },
    ]),
    otherOrg: [await merkle.size(acme.id), await merkle.leafOfSeq(acme.id, e0003)],
    checkpoints: [
      await merkle.latestCheckpoint(org),
      await merkle.checkpointOfSize(org, 5),
      await merkle.checkpointOfSize(org, 6),
      await merkle.latestCheckpoint(acme.id),
    ],
    exportLeaves: await merkle.exportLeaves(org, { categories: ['auth'] }, undefined, 4),
  };
  const exported = answers.merkle as { exportLeaves: { last?: { ts: number; seq: number } } };
  if (exported.exportLeaves.last) {
    const { ts, seq } = exported.exportLeaves.last;
    exported.exportLeaves.last = { ts, seq: idOf.get(seq) as unknown as number };
  }

  // Retention inside a write, with its record: events, counts and salts follow on both engines.
  const cutoff = Date.UTC(2026, 10, 3);
  answers.purged = await engine.write(async (tx) => {
    const purged = await tx.events.purgeBefore(org, cutoff);
    await tx.recorder.record(org, [
      { id: 'purge-record', action: 'audit.retention_purged', metadata: { purged } },
    ]);
    return purged;
  });
  const after = await events.page(
    org,
    { detailed: true },
    { kind: 'organization' },
    { order: 'asc', limit: 500 },
  );
  answers.afterPurge = {
    ids: ids(after.events),
    stats: await stats.stats(
      org,
      {},
      { kind: 'organization' },
      { dimensions: ['day', 'action'], timeZone: 'UTC', now: NOW },
    ),
    scanned: await stats.stats(
      org,
      {},
      { kind: 'organization' },
      {
        dimensions: ['day', 'action'],
        timeZone: 'UTC',
        now: NOW,
        forceScan: true,
      },
    ),
    salts: (await merkle.leaves(org, 0, 100)).map((leaf) => leaf.salt !== null),
  };
  return normalize(answers, masks) as Answers;
}

describePostgres('the store port: the same answers from SQLite and PostgreSQL', () => {
  let database: TestDatabase;
  let sqlite: SqliteEngine;
  let pg: PgEngine;
  let fromSqlite: Answers;
  let fromPg: Answers;

  beforeAll(async () => {
    database = await migratedDatabase();
    sqlite = sqliteEngineOf(openDatabase(join(tempDir('engine-contract'), 'audit.db')), now);
    pg = await openPgEngine(database.url, { now, allowUnsafe: true, poolSize: 3 });
    fromSqlite = await scenario(sqlite);
    fromPg = await scenario(pg);
  }, 60_000);
  afterAll(async () => {
    await sqlite?.close();
    await pg?.close();
    await database?.drop();
  });

  it.each([
    'created',
    'again',
    'bySlug',
    'orgs',
    'alice',
    'aliceAgain',
    'users',
    'nul',
    'nulAgain',
    'tokens',
    'byPrefix',
    'auth',
    'revoked',
  ])('directory: %s', (key) => {
    expect(fromPg[key]).toEqual(fromSqlite[key]);
  });

  it('each store has the same methods on both engines', () => {
    for (const store of ['events', 'directory', 'recorder', 'merkle', 'stats'] as const)
      expect(Object.keys(pg.stores[store]).sort(), store).toEqual(
        // better-sqlite3's statement cache, outside the port's type (EventPort omits it)
        Object.keys(sqlite.stores[store])
          .filter((name) => name !== 'preparedStatements')
          .sort(),
      );
  });

  it.each([
    'pageJson',
    'findVisible',
    'exportChunks',
    'recorded',
    'batch',
    'hostileCreated',
    'page',
    'findById',
    'findByIdElsewhere',
    'findBySeq',
    'readFrom',
    'maxSeq',
    'endSeqCoversMax',
  ])('events: %s', (key) => {
    expect(fromPg[key]).toEqual(fromSqlite[key]);
  });

  it.each(STATS.map(([name], index) => [name, index] as const))('stats: %s', (_name, index) => {
    const answer = (fromPg.stats as unknown[])[index];
    expect(answer).toEqual((fromSqlite.stats as unknown[])[index]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stats: the hostile keys are counted, not lost', () => {
    const byActor = (fromPg.stats as { groups: { actor: string | null; count: number }[] }[])[2];
    const counts = new Map(byActor?.groups.map((group) => [group.actor, group.count]));
    HOSTILE.forEach((text, index) => {
      if (text === '') return; // no value: null, shared with other events
      const key = text === '\ud83d' ? '\ufffd' : text;
      expect(counts.get(key), JSON.stringify(key.slice(0, 30))).toBe(index + 1);
    });
  });

  it.each([
    'size',
    'sealed',
    'leaves',
    'iterated',
    'leafRows',
    'firstPage',
    'emptyPage',
    'leafOfEvent',
    'unsealedLeaf',
    'positionsOf',
    'seqAt',
    'leafOfSeq',
    'otherOrg',
    'checkpoints',
    'exportLeaves',
  ])('merkle: %s', (key) => {
    expect((fromPg.merkle as Answers)[key]).toEqual((fromSqlite.merkle as Answers)[key]);
  });

  it.each(['purged', 'afterPurge'])('retention: %s', (key) => {
    expect(fromPg[key]).toEqual(fromSqlite[key]);
  });

  it('retention: the rollup and the scan agree after the purge, and some salts went', () => {
    const after = fromPg.afterPurge as { stats: unknown; scanned: unknown; salts: boolean[] };
    expect(after.stats).toEqual(after.scanned);
    expect(fromPg.purged).toBeGreaterThan(0);
    expect(after.salts).toContain(false);
    expect(after.salts).toContain(true);
  });

  it('the scenario asks questions that have answers (the comparisons are not of empties)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: reads into the scenario's answers, checked by value below
    const answers = fromPg as Record<string, any>;
    expect(answers.auth.map((a: { ok: boolean; reason?: string }) => a.reason ?? a.ok)).toEqual([
      true,
      'unknown token',
      'unknown token',
    ]);
    expect(answers.revoked.map((a: { ok: boolean; reason?: string }) => a.reason ?? a.ok)).toEqual([
      'revoked token',
      'revoked token',
      true,
      'unknown token',
    ]);
    expect(answers.aliceAgain.previous.email).toBe('Alice@Example.com');
    expect(answers.aliceAgain.user.team.name).toBe('Platform');
    expect(answers.batch.fresh).toEqual([true, true, false, false]);
    expect(answers.nulAgain[0]).toMatchObject({ name: 'N\u0000ul', team: { name: 'T\u0000eam' } });
    expect(answers.nulAgain[2].slug).toBe('slug\u0000');
    expect(answers.page.ids.length).toBeGreaterThan(100);
    expect(answers.readFrom).toHaveLength(4);
    for (const stats of answers.stats.slice(0, -1)) expect(stats.total).toBeGreaterThan(0);
    expect(answers.merkle.size).toBe(11);
    expect(answers.merkle.leaves[0]).toMatchObject({
      eventId: 'nul\u0000id\u0001',
      event: 'nul\u0000id\u0001',
    });
    expect(answers.merkle.leafOfEvent.position).toBe(1);
    expect(answers.merkle.leafRows.rows).toHaveLength(7);
    expect(answers.merkle.leafRows.unsealed).toHaveLength(1);
    expect(answers.merkle.positionsOf).toEqual([2, 0]);
    expect(answers.merkle.leafOfSeq[0].position).toBe(3);
    expect(answers.merkle.exportLeaves.leaves.length).toBeGreaterThan(0);
    expect(answers.merkle.checkpoints[0].treeSize).toBe(11);
  });

  it('positions: gap-free per organization on PostgreSQL (a repeated id takes none)', async () => {
    const org = (await pg.stores.directory.findOrganization('default'))?.id as number;
    // The recorded, the batch's fresh two, the id with U+0000, the hostile ones, the purge's record.
    const issued = 3 + 2 + 1 + HOSTILE.reduce((sum, _text, index) => sum + index + 1, 0) + 1;
    expect(await pg.stores.events.endSeq(org)).toBe(issued);
    expect(await pg.stores.events.maxSeq(org)).toBe(issued);
    const kept = (await pg.stores.events.readFrom(org, 0, 1000)).map((event) => event.seq);
    expect(kept.at(-1)).toBe(issued);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(issued - kept.length).toBe(fromPg.purged);
  });

  it('merkle: the nodes PostgreSQL stored are the perfect subtrees of its leaves', async () => {
    const org = (await pg.stores.directory.findOrganization('default'))?.id as number;
    const leaves = await pg.stores.merkle.leaves(org, 0, 100);
    const expected = inMemorySubtrees(leaves.map((leaf) => leaf.hash));
    const { rows } = await pg.pool.query<{ level: number; idx: number; hash: Buffer }>(
      'SELECT level, idx, hash FROM merkle_nodes WHERE org_id = $1 ORDER BY level, idx',
      [org],
    );
    expect(rows.length).toBe(leaves.length - 1 - 2); // 11 leaves: 5 + 2 + 1 nodes
    for (const row of rows) expect(row.hash).toEqual(expected(row.level, row.idx));
    // SQLite's root over its own subtrees equals the one over PostgreSQL's leaves.
    const sqliteOrg = (await sqlite.stores.directory.findOrganization('default'))?.id as number;
    const sqliteRoot = await sqlite.stores.merkle.withSubtrees(sqliteOrg, (perfect) =>
      subtreeHash(0, 11, perfect),
    );
    expect(subtreeHash(0, 11, expected)).toEqual(sqliteRoot);
  });

  it("merkle: roots and proofs through withPgSubtrees equal SQLite's over its synchronous lookup", async () => {
    const org = (await pg.stores.directory.findOrganization('default'))?.id as number;
    const sqliteOrg = (await sqlite.stores.directory.findOrganization('default'))?.id as number;
    const computations: ((perfect: PerfectSubtrees) => unknown)[] = [
      (perfect) => rootAt(11, perfect),
      (perfect) => rootAt(8, perfect),
      (perfect) => Array.from({ length: 11 }, (_, index) => inclusionProof(index, 11, perfect)),
      (perfect) => consistencyProof(5, 11, perfect),
      (perfect) => consistencyProof(3, 8, perfect),
      (perfect) => [perfect(0, 4), perfect(3, 0), perfect(1, 4)],
    ];
    for (const compute of computations) {
      const fromSqlite = await sqlite.stores.merkle.withSubtrees(sqliteOrg, compute);
      expect(await withPgSubtrees(pg.pool, org, compute)).toEqual(fromSqlite);
      expect(await pg.stores.merkle.withSubtrees(org, compute)).toEqual(fromSqlite);
    }
    await expect(withPgSubtrees(pg.pool, org, (perfect) => rootAt(20, perfect))).rejects.toThrow(
      /has no subtree/,
    );
  });
});
