import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import type { Engine } from '../../src/store/port.js';
import { createSqliteEngine, type SqliteEngine } from '../../src/store/sqlite-engine.js';
import { createServerStores } from '../../src/store/sqlite-server-stores.js';
import { createStores } from '../../src/store/stores.js';
import type { WebhookFields } from '../../src/store/webhook-store.js';
import { createWriteGate } from '../../src/store/write-gate.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The webhook store and the delivery queue as a contract (issue 23): one scenario of store calls
// through the SQLite engine and the PostgreSQL one, answers compared deeply. Random public ids
// are masked by order of appearance; every other value (row ids, delivery ids, times, order,
// patterns, categories, delivery records, claimed events, errors) must be equal.

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const now = () => NOW;
const SECRET = 'a-signing-secret-of-32-characters';

const SLACK: WebhookFields = {
  url: 'https://hooks.slack.com/services/T000/B000/credential?x=1',
  format: 'slack',
  // The repeat is stored once, at its first position.
  patterns: [
    { pattern: 'user.login_failed', isPrefix: false },
    { pattern: 'security.', isPrefix: true },
    { pattern: 'user.login_failed', isPrefix: false },
  ],
  categories: ['security', 'auth', 'security'],
  description: 'N\u0000ul and \u0001 escape, 💥',
};
const EVERYTHING: WebhookFields = {
  url: 'https://example.com/hook',
  format: 'json',
  patterns: [{ pattern: '', isPrefix: true }],
  categories: [],
  description: null,
};

type Answers = Record<string, unknown>;

/** Masks the random public ids (whk_…) by order of appearance; errors become their message. */
function normalize(value: unknown, masks: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (!/^whk_[0-9a-f]{12}$/.test(value)) return value;
    if (!masks.has(value)) masks.set(value, `whk_#${masks.size + 1}`);
    return masks.get(value);
  }
  if (value instanceof Error) return { error: value.message.replace(/whk_[0-9a-f]{12}/g, 'whk_*') };
  if (Array.isArray(value)) return value.map((item) => normalize(item, masks));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalize(item, masks)]));
  return value;
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => error,
  );

async function scenario(engine: Engine): Promise<Answers> {
  const { directory, recorder, webhooks, deliveries } = engine.stores;
  const answers: Answers = {};
  const org = (await directory.ensureOrganization('default')).organization.id;
  const other = (await directory.ensureOrganization('other')).organization.id;

  const slack = await webhooks.create(org, SLACK, SECRET);
  const everything = await webhooks.create(org, EVERYTHING, `${SECRET}-2`);
  const elsewhere = await webhooks.create(other, EVERYTHING, `${SECRET}-3`);
  answers.created = [slack, everything, elsewhere];
  answers.list = [await webhooks.list(org), await webhooks.list(other), await webhooks.list(999)];
  answers.find = [
    await webhooks.find(org, slack.id),
    await webhooks.find(other, slack.id),
    await webhooks.find(org, 'whk_000000000000'),
    await webhooks.find(org, 'nul\u0000id'),
  ];
  answers.secrets = [await webhooks.secretOf(slack), await webhooks.secretOf(elsewhere)];

  // The outbox, filled by ingest: the slack webhook takes two of these, the other all four.
  await recorder.record(org, [
    { id: 'e1', action: 'user.login_failed', actor: { id: 'eve' }, timestamp: '2026-12-06T11:00:00Z' },
    { id: 'e2', action: 'security.mfa_disabled', timestamp: '2026-12-06T11:01:00Z' },
    { id: 'e3', action: 'user.login', timestamp: '2026-12-06T11:02:00Z' },
    { id: 'e4\u0000', action: 'billing.payment_failed', timestamp: '2026-12-06T11:03:00Z' },
  ]);
  answers.due = [await deliveries.dueWebhooks(NOW - 1), await deliveries.dueWebhooks(NOW)];
  const first = await deliveries.claim(everything.rowId, NOW, 3, NOW + 15_000);
  answers.claimed = first;
  answers.leased = [
    await deliveries.claim(everything.rowId, NOW + 1, 10, NOW + 15_000),
    await deliveries.claim(everything.rowId, NOW, 0, NOW + 15_000),
  ];
  const [one, two, three] = first.map((delivery) => delivery.id);
  await deliveries.delivered(one as number, 200, NOW + 10);
  await deliveries.retryAt(two as number, NOW + 60_000, 502, 'bad gateway \u0000 from the receiver');
  await deliveries.failed(three as number, null, 'connection refused');
  // Settled once: a second outcome changes nothing.
  await deliveries.failed(one as number, 500, 'late');
  answers.afterOutcomes = await webhooks.deliveries(everything, { limit: 10 });
  const slackClaimed = await deliveries.claim(slack.rowId, NOW, 10, NOW + 15_000);
  await deliveries.release(
    slackClaimed.map((delivery) => delivery.id),
    NOW + 20,
  );
  answers.released = [
    slackClaimed.map((delivery) => delivery.event.id),
    await deliveries.dueWebhooks(NOW + 20),
    await deliveries.claim(slack.rowId, NOW + 20, 1, NOW + 15_020),
    // The lease ran out: sent again (at least once).
    await deliveries.claim(everything.rowId, NOW + 15_000, 10, NOW + 30_000),
    await deliveries.claim(everything.rowId, NOW + 60_000, 10, NOW + 90_000),
  ];
  answers.deliveryLog = [
    await webhooks.deliveries(everything, { limit: 2 }),
    await webhooks.deliveries(everything, { status: 'pending', limit: 10 }),
    await webhooks.deliveries(everything, { status: 'failed', limit: 10 }),
    await webhooks.deliveries(slack, { limit: 10 }),
  ];

  answers.update = [
    await webhooks.update(org, slack.id, {
      url: 'https://hooks.slack.com/services/T1/B1/new',
      description: null,
    }),
    await webhooks.update(org, slack.id, {
      patterns: [{ pattern: 'team.', isPrefix: true }],
      categories: ['team'],
      format: 'discord',
    }),
    await webhooks.update(org, slack.id, {}),
    await webhooks.update(other, slack.id, { url: 'https://attacker.example/' }),
    await webhooks.update(org, 'whk_000000000000', { url: 'https://attacker.example/' }),
  ];

  answers.remove = [
    await webhooks.remove(other, slack.id),
    await webhooks.remove(org, slack.id),
    await webhooks.remove(org, slack.id),
    await webhooks.list(org),
    await webhooks.find(org, slack.id),
    await webhooks.update(org, slack.id, { url: 'https://hooks.slack.com/services/again' }),
    await caught(webhooks.secretOf(slack)),
    // Its pending deliveries are not sent: failed, with why.
    await webhooks.deliveries(slack, { limit: 10 }),
  ];
  answers.removeEverything = [
    await webhooks.remove(org, everything.id),
    await deliveries.dueWebhooks(NOW + 100_000),
    await deliveries.claim(everything.rowId, NOW + 100_000, 10, NOW + 200_000),
    await webhooks.deliveries(everything, { limit: 10 }),
  ];

  // Inside a write, as the routes and the worker call them.
  answers.inWrite = await engine.write(async (tx) => {
    const made = await tx.webhooks.create(
      org,
      { ...EVERYTHING, url: 'https://example.org/in-write' },
      SECRET,
    );
    await tx.recorder.record(org, [{ id: 'e5', action: 'user.logout', timestamp: '2026-12-06T11:04:00Z' }]);
    const claimed = await tx.deliveries.claim(made.rowId, NOW, 10, NOW + 15_000);
    await tx.deliveries.delivered(claimed[0]?.id as number, 204, NOW + 5);
    return [
      made,
      claimed,
      await tx.webhooks.update(org, made.id, { description: 'in a write' }),
      await tx.webhooks.deliveries(made, { limit: 10 }),
      await tx.webhooks.secretOf(made),
      await tx.webhooks.remove(org, made.id),
    ];
  });
  answers.inRead = await engine.read(async (stores) => [
    await stores.webhooks.list(org),
    await stores.webhooks.list(other),
    await stores.deliveries.dueWebhooks(NOW + 100_000),
  ]);
  return normalize(answers, new Map()) as Answers;
}

describePostgres('the webhook store and delivery queue answer the same on SQLite and PostgreSQL', () => {
  let database: TestDatabase;
  let sqlite: SqliteEngine;
  let pg: PgEngine;
  let fromSqlite: Answers;
  let fromPg: Answers;

  beforeAll(async () => {
    database = await migratedDatabase();
    const stores = createStores(openDatabase(join(tempDir('webhooks-contract'), 'audit.db')), now);
    sqlite = createSqliteEngine(stores, createWriteGate(stores.db), createServerStores(stores));
    pg = await openPgEngine(database.url, {
      now,
      allowUnsafe: true,
      poolSize: 3,
      secretsKey: randomBytes(32),
    });
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
    'list',
    'find',
    'secrets',
    'due',
    'claimed',
    'leased',
    'afterOutcomes',
    'released',
    'deliveryLog',
    'update',
    'remove',
    'removeEverything',
    'inWrite',
    'inRead',
  ])('%s', (key) => {
    expect(fromSqlite[key]).toBeDefined();
    expect(fromPg[key]).toEqual(fromSqlite[key]);
  });

  it('each store has the same methods on both engines', () => {
    for (const store of ['webhooks', 'deliveries'] as const)
      expect(Object.keys(pg.stores[store]).sort(), store).toEqual(Object.keys(sqlite.stores[store]).sort());
  });
});
