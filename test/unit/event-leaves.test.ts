import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { commitmentOf, eventLeafHash, leafFields } from '../../src/domain/merkle/leaf.js';
import { openDatabase } from '../../src/store/database.js';
import { leavesOf, leavesOfInserted } from '../../src/store/event-leaves.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { tempDir } from '../helpers/temp-dir.js';
import { hostileJson, hostileString } from '../reliability/hostile.js';

const opened: Stores[] = [];
afterEach(() => {
  for (const stores of opened.splice(0)) stores.db.close();
});

/** Stores on a new database file; `sealOnIngest` as the server's, or none as an admin command's. */
function storesOn(file: string, grown?: (orgId: number) => void): Stores {
  const sealOnIngest = grown && { grown, leaves: leavesOfInserted };
  const stores = createStores(openDatabase(file), Date.now, undefined, { sealOnIngest });
  opened.push(stores);
  return stores;
}

/** Every leaf of the tree recomputed from its event as read back now, under the leaf's salt. */
function expectLeavesOfStoredEvents(stores: Stores, orgId: number): number[] {
  const size = stores.merkle.size(orgId);
  const leaves = stores.merkle.leaves(orgId, 0, size);
  for (const leaf of leaves) {
    const stored = stores.events.findBySeq(leaf.eventSeq);
    if (!stored || !leaf.salt) throw new Error(`leaf ${leaf.position} lost its event or salt`);
    expect(leaf.eventId).toBe(stored.event.id);
    expect(leaf.commitment).toEqual(commitmentOf(leaf.salt, leafFields(stored.event)));
    expect(leaf.hash).toEqual(eventLeafHash(stored.event, leaf.salt));
  }
  return leaves.map((leaf) => leaf.eventSeq);
}

const text = fc.option(hostileString, { nil: undefined });
const hostileEvent: fc.Arbitrary<EventInput> = fc.record(
  {
    action: fc.constantFrom('user.login', 'document.shared', 'custom.thing'),
    description: text,
    actor: fc.record({ id: text, name: text, email: text, type: text }, { requiredKeys: [] }),
    target: fc.record({ type: text, id: text, name: text }, { requiredKeys: [] }),
    context: fc.record(
      { ip_address: text, user_agent: text, team_id: text, team_name: text },
      { requiredKeys: [] },
    ),
    changes: fc.dictionary(hostileString, hostileJson, { maxKeys: 3 }),
    metadata: fc.dictionary(hostileString, hostileJson, { maxKeys: 3 }),
  },
  { requiredKeys: ['action'] },
) as fc.Arbitrary<EventInput>;

describe('leaves that ingest makes of the events in hand', () => {
  it('are the leaves of the events as stored and read back, for hostile events too (lone surrogates, controls, huge values)', () => {
    const grown: number[] = [];
    const stores = storesOn(`${tempDir('event-leaves')}/audit.db`, (orgId) => grown.push(orgId));
    const { organization } = stores.directory.ensureOrganization('default');
    let stored = 0;
    fc.assert(
      fc.property(fc.array(hostileEvent, { minLength: 1, maxLength: 4 }), (batch) => {
        try {
          stored += stores.recorder.record(organization.id, batch).created;
        } catch {
          // Refused by normalization (as the API would refuse it): nothing stored, nothing sealed.
        }
      }),
      { numRuns: 300, seed: 2104 },
    );
    stores.recorder.record(organization.id, [
      { action: 'user.login', actor: { name: 'x\ud800y' }, description: 'lone \udc00 low' },
    ]);
    expect(stored).toBeGreaterThan(100);
    expect(expectLeavesOfStoredEvents(stores, organization.id)).toHaveLength(stores.events.maxSeq());
    expect(new Set(grown)).toEqual(new Set([organization.id]));
  });

  it('are made only right after the last leaf: a batch behind events another process stored is left to the sealer, in order', () => {
    const file = `${tempDir('event-leaves')}/audit.db`;
    const server = storesOn(file, () => {});
    const admin = storesOn(file);
    const { organization } = server.directory.ensureOrganization('default');
    const login = (n: number) => ({ action: 'user.login', actor: { email: `u${n}@example.com` } });
    server.recorder.record(organization.id, [login(1), login(2)]);
    expect(server.merkle.size(organization.id)).toBe(2);
    admin.recorder.record(organization.id, [login(3)]);
    server.recorder.record(organization.id, [login(4), login(5)]);
    expect(server.merkle.size(organization.id)).toBe(2);
    // The sealer's turn: the backlog in storing order; then ingest seals its own again.
    server.db.transaction(() =>
      server.merkle.append(leavesOf(server.events.readFrom(server.merkle.sealedSeq(), 100))),
    )();
    server.recorder.record(organization.id, [login(6)]);
    expect(server.merkle.size(organization.id)).toBe(6);
    const seqs = expectLeavesOfStoredEvents(server, organization.id);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('leave a duplicate id alone: the event stored first keeps its one leaf', () => {
    const stores = storesOn(`${tempDir('event-leaves')}/audit.db`, () => {});
    const { organization } = stores.directory.ensureOrganization('default');
    const event = { id: 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E', action: 'user.login' };
    stores.recorder.record(organization.id, [event]);
    stores.recorder.record(organization.id, [event, { action: 'user.logout' }]);
    expect(stores.merkle.size(organization.id)).toBe(2);
    expectLeavesOfStoredEvents(stores, organization.id);
  });
});
