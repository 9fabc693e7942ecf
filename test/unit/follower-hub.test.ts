import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { createFollowerHub } from '../../src/server/follower-hub.js';
import type { StoredEvent } from '../../src/store/event-rows.js';

// Positions are per organization on PostgreSQL: the hub reads each followed organization from
// the lowest position one of its followers has, and only organizations someone follows.
describe('the follower hub', () => {
  const log: StoredEvent[] = [];
  const store = (orgId: number, action: string) =>
    log.push({ seq: log.length + 1, orgId, receivedAt: 0, event: { action } as AuditEvent });
  const reads: [number, number][] = [];
  const events = {
    readFrom: async (orgId: number, afterSeq: number, limit: number) => {
      reads.push([orgId, afterSeq]);
      return log.filter((stored) => stored.orgId === orgId && stored.seq > afterSeq).slice(0, limit);
    },
  };

  it('delivers each organization its own events from the follower position, once, in order', async () => {
    const hub = createFollowerHub(events, { pollIntervalMs: 60_000 });
    store(1, 'a');
    store(2, 'b');
    store(1, 'c');
    const got: string[] = [];
    const stop = hub.subscribe({
      orgId: 1,
      afterSeq: 1,
      accepts: () => true,
      deliver: (batch) => got.push(...batch.map((stored) => `${stored.seq}:${stored.event.action}`)),
      close() {},
    });
    await hub.settle();
    store(2, 'd');
    store(1, 'e');
    hub.poke();
    hub.poke();
    await hub.settle();
    expect(got).toEqual(['3:c', '5:e']);
    expect(reads.every(([orgId]) => orgId === 1)).toBe(true);
    stop();
    reads.length = 0;
    hub.poke();
    await hub.settle();
    expect(reads).toEqual([]);
    hub.close();
  });
});
