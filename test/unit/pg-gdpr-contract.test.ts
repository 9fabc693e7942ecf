import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { inclusionProof, rootAt } from '../../src/domain/merkle/proofs.js';
import type { PerfectSubtrees } from '../../src/domain/merkle/subtrees.js';
import { verifyInclusion } from '../../src/domain/merkle/verify.js';
import {
  candidatesToJson,
  eraseSubject,
  identifiersToJson,
  positionsOf,
  previewErasure,
  resolvePaged,
} from '../../src/gdpr/erasure.js';
import { eventJsonAt } from '../../src/gdpr/event-scan.js';
import { exportDocument } from '../../src/gdpr/export-document.js';
import type { SubjectRequest } from '../../src/gdpr/subject.js';
import { openDatabase } from '../../src/store/database.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import type { Engine, StorePort } from '../../src/store/port.js';
import { createSqliteEngine, type SqliteEngine } from '../../src/store/sqlite-engine.js';
import { createServerStores } from '../../src/store/sqlite-server-stores.js';
import { createStores } from '../../src/store/stores.js';
import { createWriteGate } from '../../src/store/write-gate.js';
import { leafOf } from '../helpers/deterministic-leaf.js';
import { twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The GDPR flows (src/gdpr) over both engines, one scenario, answers compared: the export, the
// dry run, the erasure's report, the events and directory after it, a repeated erasure, the
// search, the tree. Where the engines legitimately differ it is normalized: each engine's
// pseudonym key is its own (the pseudonym is masked, and checked stable within each engine),
// public ids are random, positions are compared as event ids (PostgreSQL's are per organization).

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const EMAIL = 'yolanda.brixworth@example.com';
const NAME = 'Yolanda Brixworth';
const IP = '192.0.2.201';
const AGENT = 'BrixworthAgent/7.3';
const REQUEST: SubjectRequest = { user: EMAIL, names: [NAME] };

type Answers = Record<string, unknown>;

/** Each engine, and how a webhook row with hostile text is planted in it outside the port. */
interface Twin {
  engine: Engine;
  addWebhook(orgId: number, description: string, lastError: string): Promise<void>;
}

function subjectEvents(publicId: string): EventInput[] {
  return [
    {
      id: 'g-login',
      action: 'user.login',
      timestamp: '2026-11-21T08:00:00.000Z',
      actor: { id: publicId, name: NAME, email: EMAIL, type: 'user' },
      context: { ip_address: IP, user_agent: AGENT },
    },
    {
      id: 'g-old',
      action: 'user.login',
      timestamp: '1999-03-04T05:06:07.000Z',
      actor: { id: 'ext-yb', name: NAME, email: EMAIL.toUpperCase(), type: 'user' },
      context: { ip_address: IP, user_agent: AGENT },
      metadata: { note: `old login of ${NAME}` },
    },
    {
      id: 'g-escalated',
      action: 'incident.escalated',
      timestamp: '2026-11-22T09:00:00.000Z',
      actor: { id: 'user_ops', name: 'Otto Ops', email: 'otto@example.com', type: 'user' },
      description: `escalated by ${NAME} from ${IP} using ${AGENT}`,
      target: { type: 'incident', id: 'inc_1', name: `Page ${EMAIL.toUpperCase()}` },
      context: { team_id: 'team_x', team_name: `Team ${NAME}` },
      metadata: { [EMAIL]: 'a metadata key', nested: [{ by: NAME.toUpperCase() }] },
      changes: { owner: { old: NAME, new: 'Otto Ops' } },
    },
    {
      id: 'g-target',
      action: 'user.role_changed',
      timestamp: '2026-11-23T10:00:00.000Z',
      actor: { id: 'user_ops', name: 'Otto Ops', email: 'otto@example.com', type: 'user' },
      target: { type: 'user', id: publicId, name: NAME },
    },
    {
      // U+0000 and the escape character (PostgreSQL stores text escaped), and text past a
      // tsvector's limits (its search_text must follow the rewrite too).
      id: 'g-hostile',
      action: 'note.added',
      timestamp: '2026-11-23T11:00:00.000Z',
      actor: { id: 'user_ops', name: 'Otto\u0000Ops', email: 'otto@example.com', type: 'user' },
      description: `nul\u0000 ${NAME}\u0001 esc`,
      metadata: {
        long: `${Array.from({ length: 17_000 }, (_, n) => String.fromCharCode(97 + (n % 26))).join(' ')} ${NAME} end`,
      },
    },
    {
      id: 'g-other',
      action: 'user.login',
      timestamp: '2026-11-24T11:00:00.000Z',
      actor: { id: 'user_ops', name: 'Otto Ops', email: 'otto@example.com', type: 'user' },
      description: 'Dandelion report approved by Otto',
      context: { ip_address: '203.0.113.77', user_agent: 'OttoBrowser/2' },
    },
  ];
}

async function exportOf(gdpr: StorePort['gdpr'], orgId: number, request: SubjectRequest): Promise<unknown> {
  const { subject, candidates } = await resolvePaged(gdpr, orgId, request);
  const seqs = await positionsOf(gdpr, orgId, subject);
  const extra = { identities: identifiersToJson(subject), candidates: candidatesToJson(candidates) };
  let text = '';
  for await (const part of exportDocument(eventJsonAt(gdpr, orgId, seqs), extra)) text += part;
  return JSON.parse(text);
}

/** Masks what each engine makes its own (see the header); Sets as sorted arrays. */
function normalize(value: unknown, masks: Map<string, string>): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const [from, to] of masks) text = text.replaceAll(from, to);
    return text.replace(/^team_[0-9a-f]+$/, 'team_*');
  }
  if (value instanceof Set) return normalize([...value].sort(), masks);
  if (Array.isArray(value)) return value.map((item) => normalize(item, masks));
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [normalize(key, masks) as string, normalize(item, masks)]),
    );
  return value;
}

async function scenario({ engine, addWebhook }: Twin): Promise<Answers> {
  const tree = <T>(orgId: number, compute: (perfect: PerfectSubtrees) => T) =>
    engine.stores.merkle.withSubtrees(orgId, compute);
  const { directory, events, recorder, merkle, gdpr } = engine.stores;
  const answers: Answers = {};
  const masks = new Map<string, string>();
  const org = (await directory.ensureOrganization('acme')).organization.id;
  const yolanda = (
    await directory.upsertUser(org, { email: EMAIL, name: NAME, role: 'member', teamName: `${NAME}'s team` })
  ).user;
  const otto = (
    await directory.upsertUser(org, {
      email: 'otto@example.com',
      name: 'Otto Ops',
      role: 'admin',
      teamName: 'Ops',
    })
  ).user;
  masks.set(yolanda.publicId, '<yolanda>').set(otto.publicId, '<otto>');
  await directory.createToken(yolanda.id, 'read', `laptop of ${EMAIL}`);
  await directory.createToken(otto.id, 'read', 'ci');
  await recorder.record(org, [...twinInputs(40), ...subjectEvents(yolanda.publicId)]);
  await addWebhook(org, `alerts for ${NAME}`, `400 unknown user ${EMAIL}`);

  // Every event sealed, so the erasure's rewrites meet leaves.
  const stored = await events.readFrom(org, 0, 1000);
  const idOf = new Map(stored.map((event) => [event.seq, event.event.id]));
  await engine.write(async (tx) => tx.merkle.append(stored.map((event) => leafOf(org, event))));
  const size = await merkle.size(org);
  const leavesBefore = await merkle.leaves(org, 0, size);
  const rootBefore = await tree(org, (perfect) => rootAt(size, perfect));

  answers.exportBefore = await exportOf(gdpr, org, REQUEST);
  answers.preview = await previewErasure(gdpr, org, REQUEST);
  const report = await engine.write((tx) => eraseSubject(tx.gdpr, org, REQUEST, NOW));
  masks.set(report.pseudonym, '<pseudonym>');
  answers.pendingBeforeScrub = await gdpr.scrubPending();
  answers.scrubbed = await engine.scrub(5000);
  answers.pendingAfterScrub = await gdpr.scrubPending();
  answers.report = { ...report, changedSeqs: report.changedSeqs.map((seq) => idOf.get(seq)) };

  answers.events = (await events.readFrom(org, 0, 1000)).map(({ seq, ...rest }) => rest);
  answers.exportAfter = await exportOf(gdpr, org, REQUEST);
  answers.exportOfPseudonym = await exportOf(gdpr, org, { user: yolanda.publicId });
  answers.search = {
    name: (
      await events.page(org, { text: 'Brixworth' }, { kind: 'organization' }, { order: 'asc', limit: 100 })
    ).events,
    pseudonym: (
      await events.page(
        org,
        { text: report.pseudonym },
        { kind: 'organization' },
        { order: 'asc', limit: 100 },
      )
    ).events.map((event) => event.event.id),
    otto: (await events.page(org, { text: 'Otto' }, { kind: 'organization' }, { order: 'asc', limit: 100 }))
      .events.length,
  };
  answers.accounts = await gdpr.accounts(org);
  answers.freeTexts = await gdpr.freeTexts(org);
  answers.teams = await gdpr.teams(org);
  answers.tokens = (await directory.listTokens(org)).map((token) => ({
    name: token.name,
    revoked: token.revokedAt !== null,
  }));

  // Again, by the account's id and by the email: the same pseudonym, and nothing left to change.
  const again = await engine.write((tx) => eraseSubject(tx.gdpr, org, { user: yolanda.publicId }, NOW));
  const third = await engine.write((tx) => eraseSubject(tx.gdpr, org, REQUEST, NOW));
  answers.again = [again.pseudonym, again.eventsChanged, third.pseudonym, third.eventsChanged];
  answers.scrubbedAgain = await engine.scrub(5000);

  // The tree: every leaf hash as it was, the salts of the rewritten events gone, the root and
  // every inclusion proof still valid.
  const leavesAfter = await merkle.leaves(org, 0, size);
  const changed = new Set(report.changedSeqs);
  const proofs = await tree(org, (perfect) =>
    leavesAfter.map((leaf) => inclusionProof(leaf.position, size, perfect)),
  );
  answers.tree = {
    hashesUnchanged: leavesAfter.every((leaf, index) =>
      leaf.hash.equals(leavesBefore[index]?.hash as Buffer),
    ),
    saltsGone: leavesAfter.filter((leaf) => leaf.salt === null).map((leaf) => idOf.get(leaf.eventSeq)),
    saltsGoneAreTheChanged: leavesAfter.every((leaf) => (leaf.salt === null) === changed.has(leaf.eventSeq)),
    rootUnchanged: (await tree(org, (perfect) => rootAt(size, perfect))).equals(rootBefore),
    proofsValid: proofs.every((proof, index) => {
      const leaf = leavesAfter[index];
      return leaf !== undefined && verifyInclusion(leaf.position, size, leaf.hash, proof, rootBefore);
    }),
  };
  return normalize(answers, masks) as Answers;
}

describePostgres('GDPR export and erasure: the same answers from SQLite and PostgreSQL', () => {
  let database: TestDatabase;
  let sqlite: SqliteEngine;
  let pg: PgEngine;
  let fromSqlite: Answers;
  let fromPg: Answers;

  beforeAll(async () => {
    database = await migratedDatabase();
    const db = openDatabase(join(tempDir('gdpr-contract'), 'audit.db'));
    const stores = createStores(db, () => NOW);
    sqlite = createSqliteEngine(stores, createWriteGate(db), createServerStores(stores));
    pg = await openPgEngine(database.url, {
      now: () => NOW,
      allowUnsafe: true,
      poolSize: 3,
      secretsKey: randomBytes(32),
    });
    fromSqlite = await scenario({
      engine: sqlite,
      addWebhook: (orgId, description, lastError) =>
        sqlite.exclusive(() => {
          const { lastInsertRowid } = db
            .prepare(
              `INSERT INTO webhooks (public_id, org_id, url, format, secret, description, created_at, updated_at)
               VALUES ('wh_1', ?, 'https://hooks.example.net/x', 'json', 's', ?, 0, 0)`,
            )
            .run(orgId, description);
          db.prepare(
            `INSERT INTO webhook_deliveries (webhook_id, event_seq, status, last_error, created_at)
             VALUES (?, (SELECT max(seq) FROM events), 'failed', ?, 0)`,
          ).run(lastInsertRowid, lastError);
        }),
    });
    fromPg = await scenario({
      engine: pg,
      addWebhook: async (orgId, description, lastError) => {
        const { rows } = await pg.pool.query<{ id: number }>(
          `INSERT INTO webhooks (public_id, org_id, url, format, secret, description, created_at, updated_at)
           VALUES ('wh_1', $1, 'https://hooks.example.net/x', 'json', 's', $2, 0, 0) RETURNING id`,
          [orgId, description],
        );
        await pg.pool.query(
          `INSERT INTO webhook_deliveries (org_id, webhook_id, event_seq, event_ts, status, last_error, created_at)
           VALUES ($1, $2, 1, 0, 'failed', $3, 0)`,
          [orgId, rows[0]?.id, lastError],
        );
      },
    });
  }, 60_000);
  afterAll(async () => {
    await sqlite?.close();
    await pg?.close();
    await database?.drop();
  });

  it.each([
    'exportBefore',
    'preview',
    'report',
    'pendingBeforeScrub',
    'scrubbed',
    'pendingAfterScrub',
    'events',
    'exportAfter',
    'exportOfPseudonym',
    'search',
    'accounts',
    'freeTexts',
    'teams',
    'tokens',
    'again',
    'scrubbedAgain',
    'tree',
  ])('%s', (key) => {
    expect(fromPg[key]).toEqual(fromSqlite[key]);
  });

  it("PostgreSQL: an erasure's writes outside Engine.write are refused, not run in a transaction of their own", async () => {
    await expect(pg.stores.gdpr.openErasure(1)).rejects.toThrow(/inside Engine\.write/);
    await expect(pg.stores.gdpr.rememberPseudonym(['x'], 'y')).rejects.toThrow(/inside Engine\.write/);
    await expect(pg.write((tx) => tx.gdpr.rewriteEvent(1, {} as never, {} as never))).rejects.toThrow(
      /openErasure first/,
    );
  });

  it('the gdpr store has the same methods on both engines', () => {
    expect(Object.keys(pg.stores.gdpr).sort()).toEqual(Object.keys(sqlite.stores.gdpr).sort());
  });

  it('the scenario asks questions that have answers (the comparisons are not of empties)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: reads into the scenario's answers, checked by value below
    const answers = fromPg as Record<string, any>;
    expect(answers.exportBefore.summary.count).toBeGreaterThanOrEqual(4);
    expect(answers.report.eventsChanged).toBe(5);
    expect(answers.report.changedSeqs).toEqual(['g-login', 'g-old', 'g-escalated', 'g-target', 'g-hostile']);
    expect(answers.report.accountsChanged).toBe(1);
    expect([answers.pendingBeforeScrub, answers.scrubbed, answers.pendingAfterScrub]).toEqual([
      true,
      true,
      false,
    ]);
    expect(answers.exportAfter.summary.count).toBe(0);
    expect(answers.exportOfPseudonym.summary.count).toBe(5);
    expect(answers.search.name).toEqual([]);
    expect(answers.search.pseudonym.length).toBeGreaterThan(0);
    expect(answers.again).toEqual(['<pseudonym>', 0, '<pseudonym>', 0]);
    expect(answers.freeTexts.map((text: { value: string }) => text.value)).toContain(
      '400 unknown user <pseudonym>',
    );
    expect(answers.tree).toEqual({
      hashesUnchanged: true,
      saltsGone: ['g-login', 'g-old', 'g-escalated', 'g-target', 'g-hostile'],
      saltsGoneAreTheChanged: true,
      rootUnchanged: true,
      proofsValid: true,
    });
    const after = ['events', 'exportOfPseudonym', 'accounts', 'freeTexts', 'teams', 'tokens'].map(
      (key) => answers[key],
    );
    expect(JSON.stringify(after)).not.toMatch(/brixworth|192\.0\.2\.201/i);
  });
});
