import { afterEach, describe, expect, it } from 'vitest';
import type { LeafRow } from '../../src/client/tree.js';
import { formatPositionRanges } from '../../src/domain/merkle/position-ranges.js';
import { checkAllLeavesAsAdmin } from '../helpers/full-check.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const byPerson = (email: string, n: number) => ({
  action: 'user.login',
  actor: { email, name: 'Erin Erased' },
  description: `login ${n}`,
});
const byOther = (n: number) => ({ action: 'user.login', actor: { email: `keep${n}@example.com` } });

describe('erasure and the tree', () => {
  it("the erasure's record names exactly the tree positions of the events it rewrote", async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    const email = 'erin@example.com';
    await f.ingest([
      byOther(1),
      byPerson(email, 1),
      byPerson(email, 2),
      byOther(2),
      byOther(3),
      byPerson(email, 3),
    ]);
    await f.app.services.sealer.settle();
    const erasure = await f.request({
      method: 'POST',
      url: '/api/v1/organizations/default/gdpr/erasures',
      payload: { user: email },
    });
    expect(erasure.statusCode).toBe(200);
    expect(erasure.json().data.events_changed).toBe(3);
    await f.app.services.sealer.settle();

    const size = (await f.request({ method: 'GET', url: `${BASE}/tree` })).json().data.sealed_size;
    const leaves = (await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })).json()
      .data as LeafRow[];
    // The rewritten events: still stored, their salt gone (fields[4]: description).
    const rewritten = leaves
      .filter(([, , , , , , salt, fields]) => salt === null && fields !== null)
      .map(([position, , , , , , , fields]) => ({ position, description: fields?.[4] }));
    expect(rewritten.map((leaf) => leaf.description)).toEqual(['login 1', 'login 2', 'login 3']);

    const [record] = (await f.request({ method: 'GET', url: `${BASE}?action=gdpr.user_erased` })).json().data;
    expect(record.metadata.tree_positions).toBe(formatPositionRanges(rewritten.map((leaf) => leaf.position)));
    expect(record.metadata.tree_positions).toMatch(/^\d+(-\d+)?(,\d+(-\d+)?)*$/);
  });

  it('erasing the owner who once erased someone keeps verify --full valid (the first erasure record is itself erased later)', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    await f.ingest([byOther(1), byPerson('erin@example.com', 1), byOther(2)]);
    await f.app.services.sealer.settle();
    const erase = (user: string) =>
      f.request({ method: 'POST', url: '/api/v1/organizations/default/gdpr/erasures', payload: { user } });
    expect((await erase('erin@example.com')).statusCode).toBe(200);
    await f.app.services.sealer.settle();
    // The owner who asked for the first erasure is its record's actor: erasing them rewrites it.
    const second = await erase('alice@example.com');
    expect(second.statusCode).toBe(200);
    expect(second.json().data.events_changed).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await f.app.services.sealer.settle();

    const { result } = await checkAllLeavesAsAdmin(f);
    expect(result.problems).toEqual([]);
  });
});
