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

describe('a failure while ingest makes its leaves', () => {
  it('threat: leaf making throws for one batch — the batch is not stored at all, and the tree of every organization carries on', () => {
    let fail = false;
    const grown: number[] = [];
    const stores = createStores(openDatabase(`${tempDir('leaf-failure')}/audit.db`), Date.now, undefined, {
      sealOnIngest: {
        grown: (orgId) => grown.push(orgId),
        leaves: (batch, readBack) => {
          if (fail) throw new Error('leaf making failed');
          return leavesOfInserted(batch, readBack);
        },
      },
    });
    opened.push(stores);
    const a = stores.directory.ensureOrganization('a').organization.id;
    const b = stores.directory.ensureOrganization('b').organization.id;
    stores.recorder.record(a, [{ action: 'user.login', metadata: { n: 1 } }]);
    const before = ['events', 'merkle_leaves', 'merkle_nodes', 'event_counts', 'webhook_deliveries'].map(
      (table) => [table, count(stores, table)],
    );
    fail = true;
    expect(() =>
      stores.recorder.record(a, [{ id: 'log_failed1', action: 'user.login' }, { action: 'user.logout' }]),
    ).toThrow('leaf making failed');
    fail = false;
    expect(before.map(([table]) => [table, count(stores, table as string)])).toEqual(before);
    expect(stores.events.findById(a, 'log_failed1')).toBeUndefined();
    // The same batch again is stored once and sealed, and other organizations were never held up.
    expect(stores.recorder.record(a, [{ id: 'log_failed1', action: 'user.login' }]).created).toBe(1);
    stores.recorder.record(b, [{ action: 'user.login' }]);
    expect(stores.merkle.size(a)).toBe(2);
    expect(stores.merkle.size(b)).toBe(1);
    expect(stores.merkle.sealedSeq()).toBe(stores.events.maxSeq());
  });
});
