import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { leavesOfInserted } from '../../src/store/event-leaves.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { tempDir } from '../helpers/temp-dir.js';

const opened: Stores[] = [];
afterEach(() => {
  for (const stores of opened.splice(0)) stores.db.close();
});

const count = (stores: Stores, table: string) =>
  stores.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** What the server's sealer does with a backlog: the leaves of every event past the tree, in storing order. */
function sealBacklog(stores: Stores): void {
  stores.merkle.append(
    leavesOfInserted(stores.events.readFrom(stores.merkle.sealedSeq(), 1000), stores.events.findBySeq),
  );
}

describe('a failure while ingest makes or stores its leaves', () => {
  it.each([
    ['leaf making throws', 'throw'],
    ['the tree refuses the leaves (a leaf for an event it already holds)', 'duplicate'],
  ] as const)(
    'threat: %s — the batch is stored all the same, the tree is left as it was, and the sealer seals it after',
    (_, fault) => {
      let failing = false;
      const grown: number[] = [];
      const stores = createStores(openDatabase(`${tempDir('leaf-failure')}/audit.db`), Date.now, undefined, {
        sealOnIngest: {
          grown: (orgId) => grown.push(orgId),
          leaves: (batch, readBack) => {
            if (!failing) return leavesOfInserted(batch, readBack);
            if (fault === 'throw') throw new Error('leaf making failed');
            const leaves = leavesOfInserted(batch, readBack);
            return [...leaves, ...leaves];
          },
        },
      });
      opened.push(stores);
      const a = stores.directory.ensureOrganization('a').organization.id;
      const b = stores.directory.ensureOrganization('b').organization.id;
      stores.recorder.record(a, [{ action: 'user.login', metadata: { n: 1 } }]);
      const tree = () => [count(stores, 'merkle_leaves'), count(stores, 'merkle_nodes')];
      const before = tree();
      grown.length = 0;

      failing = true;
      const result = stores.recorder.record(a, [
        { id: 'log_failed1', action: 'user.login' },
        { action: 'user.logout' },
      ]);
      failing = false;
      // An audit log keeps the evidence it was sent: stored and acknowledged, not refused.
      expect(result.created).toBe(2);
      expect(stores.events.findById(a, 'log_failed1')).toBeDefined();
      expect(tree()).toEqual(before);
      expect(grown).toEqual([]);
      expect(stores.merkle.sealedSeq()).toBeLessThan(stores.events.maxSeq());

      // While that backlog waits, ingest leaves sealing to the sealer (storing order), for every organization.
      stores.recorder.record(b, [{ action: 'user.login' }]);
      expect(stores.merkle.size(b)).toBe(0);
      sealBacklog(stores);
      expect(stores.merkle.size(a)).toBe(3);
      expect(stores.merkle.size(b)).toBe(1);
      expect(stores.merkle.sealedSeq()).toBe(stores.events.maxSeq());
      // And once the tree has caught up, ingest seals in its own transaction again.
      stores.recorder.record(b, [{ action: 'user.logout' }]);
      expect(stores.merkle.size(b)).toBe(2);
      expect(grown).toEqual([b]);
    },
  );
});
