import { afterEach, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import { pinCoveringCheckpoint } from '../../src/export/proof/pin-checkpoint.js';
import { createAdmin } from '../../src/server/admin.js';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';
const DAY_MS = 86_400_000;

let fixture: Fixture | undefined;
let client: AuditClient | undefined;
afterEach(async () => {
  await client?.close();
  await fixture?.close();
  client = undefined;
  fixture = undefined;
});

const oldLogin = (n: number, now: number) => ({
  action: 'user.login',
  actor: { email: `u${n}@example.com` },
  timestamp: new Date(now - 100 * DAY_MS).toISOString(),
});

async function tree(f: Fixture): Promise<{ sealed_size: number; checkpoint: { size: number } | null }> {
  return (await f.request({ method: 'GET', url: `${BASE}/tree` })).json().data;
}

describe('pinning the checkpoint a backup is proved against', () => {
  it("waits for a covering checkpoint, and gives up with none in time, when the latest one's last event was purged meanwhile, instead of failing with 400", async () => {
    const now = Date.now();
    // One checkpoint now, the next only a minute later: the purge lands between the two.
    fixture = await createFixture({ checkpointIntervalMs: 60_000, now: () => now });
    const f = fixture;
    // The fixture's own records first: sealed, signed (the first checkpoint is signed at once),
    // and that checkpoint's record sealed, so that no record of theirs can land after the logins
    // (where the sealer seals apart from ingest, PostgreSQL, it did now and then).
    await f.app.services.sealer.settle();
    await f.app.services.sealer.settle();
    await f.ingest([oldLogin(1, now), oldLogin(2, now)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Signed now, whatever the interval: where the sealer seals apart from ingest (PostgreSQL), a
    // checkpoint of the fixture's own records alone may already have been signed.
    await f.app.services.sealer.settle({ signNow: true });
    // The checkpoint ends at the second old event (the fixture's own records came before them).
    const size = (await tree(f)).checkpoint?.size ?? 0;
    const lastLeaf = (
      await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=${size - 1}&end=${size}` })
    ).json();
    expect(lastLeaf.data[0][7][3]).toBe('user.login');

    // Both events are past a free plan's retention: the checkpoint's last leaf has no event now.
    const { services } = f.app;
    await createAdmin(services.engine).setPlan('default', 'free');
    expect(await purgeExpiredEvents(services.engine, now)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await services.sealer.settle();
    const purged = await tree(f);
    expect(purged.checkpoint?.size).toBe(size);
    expect(purged.sealed_size).toBeGreaterThan(size + 1);

    const url = await f.app.listen({ host: '127.0.0.1', port: 0 });
    client = new AuditClient({ server: url, token: f.tokens.owner, org: 'default', sleep: async () => {} });
    // No checkpoint covers the purge record within the wait: none to pin, and no error.
    await expect(
      pinCoveringCheckpoint(client, { params: {}, timeoutMs: 300, pollMs: 50 }),
    ).resolves.toBeUndefined();
  });
});
