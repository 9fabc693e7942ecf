import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { registerSearchFunctions } from '../../src/store/migrate.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';
const DAY_MS = 86_400_000;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const login = (n: number, timestamp?: string) => ({
  action: 'user.login',
  actor: { email: `u${n}@example.com` },
  description: `login ${n}`,
  ...(timestamp ? { timestamp } : {}),
});

async function sealedFixture(): Promise<Fixture> {
  fixture = await createFixture({ checkpointIntervalMs: 1 });
  return fixture;
}

async function settle(f: Fixture): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  await f.app.services.sealer.settle();
}

async function sealedSize(f: Fixture): Promise<number> {
  const response = await f.request({ method: 'GET', url: `${BASE}/tree` });
  return response.json().data.sealed_size;
}

/** What sqlite3 on the file can do: an event `log_FORGED` at `seq`, a copy of the one at `copyOf`. */
function insertForged(raw: Database.Database, seq: number, copyOf: number): void {
  raw
    .prepare(
      `INSERT INTO events (seq, org_id, received_at, id, ts, action, category, actor_email, description)
       SELECT ?, org_id, received_at, 'log_FORGED', ts, 'user.login', 'auth', 'forger@example.com', 'forged'
       FROM events WHERE seq = ?`,
    )
    .run(seq, copyOf);
}

const TREE_READS = [
  `${BASE}/checkpoint`,
  `${BASE}/tree`,
  `${BASE}/tree/leaves?start=0&end=1`,
  `${BASE}/tree/consistency?first=1&second=1`,
  `${BASE}/tree/proof?tree_size=1`,
];

describe('who may read the tree', () => {
  it.each([
    ['a member', 'member'],
    ['an ingest-only token', 'ingest'],
    ['a team admin restricted to one team', 'teamAdmin'],
  ] as const)(
    '%s cannot read the checkpoint, tree, leaves or proofs of the whole organization (403)',
    async (_, role) => {
      const f = await sealedFixture();
      await f.ingest([login(1)]);
      await settle(f);
      for (const url of TREE_READS) {
        const response = await f.request({ method: 'GET', url, token: f.tokens[role] });
        expect([url, response.statusCode]).toEqual([url, 403]);
      }
      const [event] = (await f.request({ method: 'GET', url: `${BASE}?per_page=1` })).json().data;
      const inclusion = await f.request({
        method: 'GET',
        url: `${BASE}/tree/inclusion?event_id=${event.id}`,
        token: f.tokens[role],
      });
      expect(inclusion.statusCode).toBe(403);
    },
  );

  it("another organization's owner is told the organization does not exist (404)", async () => {
    const f = await sealedFixture();
    await f.ingest([login(1)]);
    await settle(f);
    for (const url of TREE_READS) {
      const response = await f.request({ method: 'GET', url, token: f.tokens.otherOrg });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(response.json().type).toBe('https://audit.dev/problems/not-found');
    }
  });

  it('an organization admin reads the tree like the owner', async () => {
    const f = await sealedFixture();
    await f.ingest([login(1)]);
    await settle(f);
    for (const url of TREE_READS.slice(0, 4)) {
      const response = await f.request({ method: 'GET', url, token: f.tokens.admin });
      expect([url, response.statusCode]).toEqual([url, 200]);
    }
  });

  it('a member cannot learn the size of the tree through the list filter tree_size (403)', async () => {
    const f = await sealedFixture();
    await f.ingest([login(1)]);
    await settle(f);
    const response = await f.request({ method: 'GET', url: `${BASE}?tree_size=1`, token: f.tokens.member });
    expect(response.statusCode).toBe(403);
  });
});

describe('what the leaves show of a log that changed', () => {
  it('a purged event keeps its leaf, with salt and event null', async () => {
    const now = Date.now();
    fixture = await createFixture({ checkpointIntervalMs: 1, now: () => now });
    const f = fixture;
    const [old] = await f.ingest([login(1, new Date(now - 100 * DAY_MS).toISOString())]);
    await f.ingest([login(2)]);
    await settle(f);
    const size = await sealedSize(f);
    const before = (
      await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })
    ).json();
    // A row: [position, hash, event_id, timestamp, category, commitment, salt, fields].
    const leafBefore = before.data.find((leaf: unknown[]) => leaf[2] === old?.id);
    expect(leafBefore[6]).not.toBeNull();
    expect(leafBefore[7]).not.toBeNull();

    const { services } = f.app;
    await adminOf(services.sqlite).setPlan('default', 'free');
    expect(await purgeExpiredEvents(services.engine, now)).toBe(1);
    const after = (await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })).json();
    const leafAfter = after.data.find((leaf: unknown[]) => leaf[2] === old?.id);
    expect(leafAfter).toEqual([...leafBefore.slice(0, 6), null, null]);
  });

  it('an event INSERTed behind the sealer’s back, between sealed ones, is listed as unsealed', async () => {
    const f = await sealedFixture();
    await f.ingest([login(1)]);
    const raw = new Database(f.dbFile);
    // Leave ten sequence numbers free between two stored events.
    raw.prepare("UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'events'").run();
    const gapAfter = raw
      .prepare(
        "SELECT max(seq) FROM events WHERE org_id = (SELECT id FROM organizations WHERE slug = 'default')",
      )
      .pluck()
      .get() as number;
    await f.ingest([login(2), login(3)]);
    await settle(f);
    const size = await sealedSize(f);
    // What sqlite3 on the file can do: an event slipped in between sealed ones.
    insertForged(raw, gapAfter + 5, gapAfter);
    raw.close();
    await settle(f);
    const answer = (
      await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })
    ).json();
    expect(answer.unsealed.map((event: { id: string }) => event.id)).toEqual(['log_FORGED']);
    expect(answer.data.some((leaf: unknown[]) => leaf[2] === 'log_FORGED')).toBe(false);
  });
  it('an event INSERTed behind the sealer’s back between two pages of leaves is listed by the later page', async () => {
    const f = await sealedFixture();
    await f.ingest([login(1)]);
    const raw = new Database(f.dbFile);
    raw.prepare("UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'events'").run();
    const [gapAfter, gapEvent] = raw
      .prepare('SELECT seq, id FROM events ORDER BY seq DESC LIMIT 1')
      .raw()
      .get() as [number, string];
    await f.ingest([login(2)]);
    await settle(f);
    insertForged(raw, gapAfter + 5, gapAfter);
    raw.close();
    const size = await sealedSize(f);
    const leaves = (
      await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })
    ).json();
    const boundary = leaves.data.findIndex((leaf: unknown[]) => leaf[2] === gapEvent) + 1;
    // A full check reads the tree a page at a time: the forged event lies between two pages.
    const listed: string[] = [];
    for (const [start, end] of [
      [0, boundary],
      [boundary, size],
    ]) {
      const answer = (
        await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=${start}&end=${end}` })
      ).json();
      listed.push(...answer.unsealed.map((event: { id: string }) => event.id));
    }
    expect(listed).toEqual(['log_FORGED']);
  });

  it('an event INSERTed behind the sealer’s back before the first leaf is listed as unsealed', async () => {
    const f = await sealedFixture();
    const raw = new Database(f.dbFile);
    raw.prepare("UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'events'").run();
    await f.ingest([login(1)]);
    await settle(f);
    const first = raw
      .prepare(
        "SELECT min(seq) FROM events WHERE org_id = (SELECT id FROM organizations WHERE slug = 'default')",
      )
      .pluck()
      .get() as number;
    insertForged(raw, first - 1, first);
    raw.close();
    const answer = (await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=1` })).json();
    expect(answer.unsealed.map((event: { id: string }) => event.id)).toEqual(['log_FORGED']);
  });
  it('an event moved behind the server’s back into another organization is listed there as unsealed', async () => {
    const f = await sealedFixture();
    const [moved] = await f.ingest([login(1)]);
    await settle(f);
    const raw = new Database(f.dbFile);
    registerSearchFunctions(raw); // the full-text trigger calls them
    raw.exec('DROP TRIGGER events_no_update');
    raw
      .prepare("UPDATE events SET org_id = (SELECT id FROM organizations WHERE slug = 'other') WHERE id = ?")
      .run(moved?.id);
    raw.close();
    const url = '/api/v1/organizations/other/audit-logs/tree';
    const size = (await f.request({ method: 'GET', url, token: f.tokens.otherOrg })).json().data.sealed_size;
    const answer = (
      await f.request({ method: 'GET', url: `${url}/leaves?start=0&end=${size}`, token: f.tokens.otherOrg })
    ).json();
    expect(answer.unsealed.map((event: { id: string }) => event.id)).toEqual([moved?.id]);
  });
});

describe('what reading leaves costs', () => {
  it('a read of many leaves is charged like the list pages it replaces (one request per 1,000 leaves)', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1, rateLimitPerMinute: 100 });
    const f = fixture;
    await f.ingest([login(1)]);
    await settle(f);
    const remaining = async (url: string) =>
      Number((await f.request({ method: 'GET', url })).headers['ratelimit-remaining']);
    const before = await remaining(`${BASE}/tree`);
    const afterOne = await remaining(`${BASE}/tree/leaves?start=0&end=1`);
    expect(before - afterOne).toBe(1);
    // 10,000 leaves asked for: ten requests' worth, charged before the size is checked.
    const afterMany = await remaining(`${BASE}/tree/leaves?start=0&end=10000`);
    expect(afterOne - afterMany).toBe(10);
  });
});
