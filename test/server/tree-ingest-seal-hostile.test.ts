import { afterEach, describe, expect, it } from 'vitest';
import type { LeafRow } from '../../src/client/tree.js';
import { leafHashOfText } from '../../src/domain/merkle/hashes.js';
import { leafText } from '../../src/domain/merkle/leaf.js';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { checkLeafFields } from '../../src/verify/leaf-fields.js';
import { adminOf, engineOf } from '../helpers/admin.js';
import { checkAllLeavesAsAdmin } from '../helpers/full-check.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

/**
 * Ingest seals its own events in its transaction from the events in hand (store/event-leaves.ts):
 * every leaf must be the one `audit verify --full` rebuilds from the stored row, whatever text a
 * sender with an ingest token posted, and a refused body must leave neither event nor leaf.
 */
const BASE = '/api/v1/organizations/default/audit-logs';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Every leaf of the organization as verify --full checks it: commitment from the SQL-built fields, hash from the header. */
async function expectEveryLeafVerifies(f: Fixture): Promise<LeafRow[]> {
  const size = (await f.request({ method: 'GET', url: `${BASE}/tree` })).json().data.sealed_size as number;
  const rows = (await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })).json()
    .data as LeafRow[];
  expect(rows).toHaveLength(size);
  for (const [position, hash, id, timestamp, category, commitment, salt, fields] of rows) {
    const where = `leaf ${position} (${id})`;
    expect(salt, where).not.toBeNull();
    expect(
      checkLeafFields(fields ?? [], Buffer.from(salt ?? '', 'hex'), Buffer.from(commitment, 'hex')).matches,
      where,
    ).toBe(true);
    const text = leafText({ id, timestamp, category }, Buffer.from(commitment, 'hex').toString('base64'));
    expect(leafHashOfText(text).toString('hex'), where).toBe(hash);
  }
  return rows;
}

/** The organization's leaves in storing order, one per stored event: none twice, none skipped. */
function expectOneLeafPerEventInOrder(f: Fixture): void {
  const rows = f.db
    .prepare(
      `SELECT e.seq, l.position FROM events e JOIN organizations o ON o.id = e.org_id AND o.slug = 'default'
       LEFT JOIN merkle_leaves l ON l.event_seq = e.seq AND l.org_id = e.org_id ORDER BY e.seq`,
    )
    .all() as { seq: number; position: number | null }[];
  expect(rows.map((row) => row.position)).toEqual(rows.map((_, i) => i));
}

/** Raw bodies: what JSON.stringify of a test object cannot say (duplicate keys, escapes, number spellings). */
const HOSTILE_BODIES: [threat: string, body: string][] = [
  [
    '__proto__ key in metadata',
    '{"events":[{"action":"a.b","metadata":{"__proto__":{"isAdmin":true},"k":1}}]}',
  ],
  [
    'constructor.prototype key',
    '{"events":[{"action":"a.b","metadata":{"constructor":{"prototype":{"x":1}}}}]}',
  ],
  ['duplicate keys', '{"events":[{"action":"a.b","metadata":{"a":1,"a":2,"b":{"c":1,"c":"two"}}}]}'],
  [
    'U+0000 in every text field',
    '{"events":[{"action":"a.b","description":"\\u0000","actor":{"id":"\\u0000x","name":"n\\u0000"},"target":{"type":"\\u0000","id":"\\u0000","name":"\\u0000"},"context":{"ip_address":"\\u0000","user_agent":"\\u0000","team_id":"\\u0000","team_name":"\\u0000"},"metadata":{"\\u0000":"\\u0000"},"changes":{"\\u0000":["\\u0000"]}}]}',
  ],
  [
    'lone surrogates in text fields, keys and values',
    '{"events":[{"action":"a.b","description":"\\udfff","actor":{"id":"\\udbff","name":"\\ud83d","email":"\\ude00"},"target":{"name":"x\\ud800\\ud800y"},"context":{"team_name":"\\udc00\\ud800"},"metadata":{"\\ud800":"\\udc00","k":["\\ud83d"]}}]}',
  ],
  [
    'NaN-ish and odd number spellings',
    '{"events":[{"action":"a.b","metadata":{"n":"NaN","i":"Infinity","z":-0,"e":1E+2,"f":1.0,"g":5e-324,"h":1.7976931348623157e308,"j":-0.0,"k":0.1e1,"m":123456789012345}}]}',
  ],
  [
    'numeric and ordered keys',
    '{"events":[{"action":"a.b","metadata":{"10":1,"2":2,"b":3,"a":4,"-1":5,"01":6,"1.5":7}}]}',
  ],
  [
    'line and format controls',
    '{"events":[{"action":"a.b","description":"\\u2028\\u2029\\ufeff\\ufffe\\uffff\\u202e\\r\\n\\t\\u001b[2J","metadata":{"\\u2028":"\\u007f"}}]}',
  ],
  [
    'timestamps with offsets and sub-millisecond digits',
    '{"events":[{"action":"a.b","timestamp":"2024-01-01T00:00:00.123456789+05:30"},{"action":"a.c","timestamp":"2024-02-29T23:59:59.9999Z"},{"action":"a.d","timestamp":"2024-03-01T12:00:00-14:00"}]}',
  ],
  [
    'category and id chosen by the sender',
    '{"events":[{"action":"x.y","category":"auth","id":"log_Z"},{"action":"x.z","id":"log_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}',
  ],
];

describe('ingest that seals in its transaction, against hostile text', () => {
  it.each(HOSTILE_BODIES)(
    'threat: %s — sealed at ingest, a client error at worst, and verifies as --full recomputes it',
    async (_threat, body) => {
      fixture = await createFixture({ checkpointIntervalMs: 1 });
      const f = fixture;
      // The fixture's users and tokens were stored by an admin command: the sealer seals that backlog.
      await f.app.services.sealer.settle();
      const orgId = f.app.services.sqlite.directory.ensureOrganization('default').organization.id;
      const before = f.app.services.sqlite.merkle.size(orgId);
      const response = await f.request({
        method: 'POST',
        url: BASE,
        token: f.tokens.ingest,
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      expect(response.statusCode, response.body).toBeLessThan(500);
      if (response.statusCode === 201) {
        const stored = response.json().data as unknown[];
        // Sealed by the commit that stored them, not later by the sealer.
        expect(f.app.services.sqlite.merkle.size(orgId)).toBe(before + stored.length);
      } else expect(f.app.services.sqlite.merkle.size(orgId)).toBe(before);
      await f.app.services.sealer.settle();
      await expectEveryLeafVerifies(f);
      expectOneLeafPerEventInOrder(f);
    },
  );

  it('threat: metadata of 64 KiB of 3-byte characters and a huge description — sealed at ingest and verifies', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    const response = await f.request({
      method: 'POST',
      url: BASE,
      token: f.tokens.ingest,
      payload: {
        events: [
          { action: 'a.b', metadata: { k: '\u20ac'.repeat(21_000) }, description: 'd'.repeat(200_000) },
          { action: 'a.c', metadata: { k: '\u{1F600}'.repeat(16_000) } },
        ],
      },
    });
    expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
    await f.app.services.sealer.settle();
    await expectEveryLeafVerifies(f);
    expectOneLeafPerEventInOrder(f);
  });
});

describe('ingest that seals in its transaction, beside other writers of the same file', () => {
  it('threat: an admin command, an erasure and a retention purge between server ingests — one leaf per event, in storing order, and verify --full passes', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    const now = Date.now();
    // A second connection to the file, as `audit server org|token …` opens it: it never seals.
    const adminStores = createStores(openDatabase(f.dbFile), () => now);
    try {
      const admin = adminOf(adminStores);
      const login = (n: number, extra: object = {}) => ({
        action: 'user.login',
        actor: { email: n % 2 ? 'erin@example.com' : `keep${n}@example.com` },
        description: `login ${n}`,
        ...extra,
      });
      const old = { timestamp: new Date(now - 40 * 86_400_000).toISOString() };
      await f.app.services.sealer.settle();
      await f.ingest([login(1), login(2, old)]);
      await admin.createToken('default', 'alice@example.com', 'ingest', 'between');
      // Another process's event, then the server's at once (the server seals a backlog it notices
      // before its next write; here it has no turn to): ingest must leave both to the sealer.
      const orgId = f.app.services.sqlite.directory.ensureOrganization('default').organization.id;
      const sealedBefore = f.app.services.sqlite.merkle.size(orgId);
      adminStores.recorder.record(orgId, [login(2.5)]);
      f.app.services.sqlite.recorder.record(orgId, [login(3), login(4, old)]);
      expect(f.app.services.sqlite.merkle.size(orgId)).toBe(sealedBefore);
      await f.ingest([login(5), login(5.5, old)]);
      const erasure = await f.request({
        method: 'POST',
        url: '/api/v1/organizations/default/gdpr/erasures',
        payload: { user: 'erin@example.com' },
      });
      expect(erasure.statusCode).toBe(200);
      await f.app.services.sealer.settle();
      await f.ingest([login(7), login(8, old)]); // sealed at ingest again
      await admin.setPlan('default', 'free');
      await admin.createToken('default', 'alice@example.com', 'ingest', 'after-plan');
      expect(await purgeExpiredEvents(engineOf(adminStores), now)).toBeGreaterThan(0);
      await f.ingest([login(9), login(10)]);
      await f.app.services.sealer.settle();
      expect(await f.app.services.engine.stores.sealing.behind()).toBe(0);
      expectOneLeafPerStoredEventInOrder(f);
      await expectVerifyFullPasses(f);
    } finally {
      adminStores.db.close();
    }
  });

  it('threat: a replayed batch, and an id twice in one batch — no second leaf', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    await f.app.services.sealer.settle();
    const orgId = f.app.services.sqlite.directory.ensureOrganization('default').organization.id;
    const batch = [
      { id: 'log_replayed1', action: 'user.login' },
      { id: 'log_replayed1', action: 'user.logout' },
      { id: 'log_replayed2', action: 'user.login' },
    ];
    const before = f.app.services.sqlite.merkle.size(orgId);
    await f.ingest(batch);
    expect(f.app.services.sqlite.merkle.size(orgId)).toBe(before + 2);
    await f.ingest(batch);
    await f.ingest([...batch].reverse());
    await f.app.services.sealer.settle();
    const ids = f.app.services.sqlite.merkle
      .leaves(orgId, 0, f.app.services.sqlite.merkle.size(orgId))
      .map((leaf) => leaf.eventId)
      .filter((id) => id.startsWith('log_replayed'));
    expect(ids).toEqual(['log_replayed1', 'log_replayed2']);
    expectOneLeafPerStoredEventInOrder(f);
    await expectVerifyFullPasses(f);
  });
});

/** Each stored event of every organization has one leaf, at the next position of its tree in storing order. */
function expectOneLeafPerStoredEventInOrder(f: Fixture): void {
  const rows = f.db
    .prepare(
      `SELECT e.org_id, e.seq, l.position FROM events e
       LEFT JOIN merkle_leaves l ON l.event_seq = e.seq AND l.org_id = e.org_id ORDER BY e.seq`,
    )
    .all() as { org_id: number; seq: number; position: number | null }[];
  expect(rows.every((row) => row.position !== null)).toBe(true);
  const last = new Map<number, number>();
  for (const row of rows) {
    expect(row.position as number, `event ${row.seq}`).toBeGreaterThan(last.get(row.org_id) ?? -1);
    last.set(row.org_id, row.position as number);
  }
  const duplicates = f.db
    .prepare('SELECT event_seq FROM merkle_leaves GROUP BY event_seq HAVING count(*) > 1')
    .all();
  expect(duplicates).toEqual([]);
}

/** The core of `audit verify --full` over the latest checkpoint, read as the organization's admin. */
async function expectVerifyFullPasses(f: Fixture): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  await f.app.services.sealer.settle({ signNow: true });
  const { tree, result } = await checkAllLeavesAsAdmin(f);
  // The checkpoint's own record, sealed as it is stored, is the one leaf it does not cover.
  expect(tree.checkpoint.size).toBe(tree.sealed_size - 1);
  expect(result.problems).toEqual([]);
}
