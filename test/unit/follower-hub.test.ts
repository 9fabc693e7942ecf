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

// Review finding 2: a stream resumed from an old Last-Event-ID subscribed at that position and
// lowered the organization's mark; the hub then read the history again (200 reads at 200,000
// events, the event loop blocked ~13 s) and pushed it at every other follower.
describe('the follower hub, against a reconnect from an old position', () => {
  it('DoS: a follower subscribing below the mark does not make the hub re-read history', async () => {
    const log: StoredEvent[] = [];
    for (let seq = 1; seq <= 5000; seq++)
      log.push({ seq, orgId: 1, receivedAt: 0, event: { action: 'user.login' } as AuditEvent });
    const reads: number[] = [];
    const hub = createFollowerHub(
      {
        readFrom: async (orgId, afterSeq, limit) => {
          reads.push(afterSeq);
          return log.filter((stored) => stored.orgId === orgId && stored.seq > afterSeq).slice(0, limit);
        },
      },
      { pollIntervalMs: 60_000 },
    );
    let live = 0;
    hub.subscribe({
      orgId: 1,
      afterSeq: 5000,
      accepts: () => true,
      deliver: (batch) => {
        live += batch.length;
      },
      close() {},
    });
    await hub.settle();
    reads.length = 0;
    hub.subscribe({ orgId: 1, afterSeq: 1, accepts: () => false, deliver() {}, close() {} });
    await hub.settle();
    expect(reads).toEqual([5000]);
    expect(live).toBe(0);
    // Still delivers what comes next, to both.
    log.push({ seq: 5001, orgId: 1, receivedAt: 0, event: { action: 'user.login' } as AuditEvent });
    hub.poke();
    await hub.settle();
    expect(live).toBe(1);
    hub.close();
  });
});
