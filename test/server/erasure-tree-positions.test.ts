import { afterEach, describe, expect, it } from 'vitest';
import { inPositionRanges, parsePositionRanges } from '../../src/domain/merkle/position-ranges.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const login = (email: string, n: number) => ({
  action: 'user.login',
  actor: { email },
  description: `login ${n}`,
});

describe("an erasure's record names the leaves whose salt it deleted", () => {
  it('tree_positions holds exactly the erased events positions, so a full verify can excuse those and no others', async () => {
    const f = await createFixture({ checkpointIntervalMs: 1 });
    fixture = f;
    await f.ingest([login('bob@example.com', 1), login('other@example.com', 2), login('bob@example.com', 3)]);
    await f.app.services.sealer.settle();
    const erased = await f.request({
      method: 'POST',
      url: '/api/v1/organizations/default/gdpr/erasures',
      payload: { user: 'bob@example.com' },
    });
    expect(erased.statusCode).toBe(200);
    const { merkle, directory, events } = f.app.services;
    const orgId = directory.findOrganization('default')?.id ?? 0;
    const leaves = merkle.leaves(orgId, 0, merkle.size(orgId));
    const saltless = leaves.filter((leaf) => leaf.salt === null).map((leaf) => leaf.position);
    expect(saltless).toHaveLength(2);
    const record = events
      .page(orgId, { detailed: true }, { kind: 'organization' }, { order: 'asc', limit: 100 })
      .events.find((stored) => stored.event.action === 'gdpr.user_erased');
    const ranges = parsePositionRanges(String(record?.event.metadata?.tree_positions));
    if (!ranges) throw new Error(`no tree_positions in ${JSON.stringify(record?.event.metadata)}`);
    const named = leaves
      .filter((leaf) => inPositionRanges(ranges, leaf.position))
      .map((leaf) => leaf.position);
    expect(named).toEqual(saltless);
  });
});
