import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { tempDir } from '../helpers/temp-dir.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

const leafHashOf = (n: number) => createHash('sha256').update(`leaf ${n}`).digest();

describe('the Merkle store appends leaves', () => {
  it('stores every perfect subtree a run of leaves completes, batch sizes of one or of hundreds alike, two organizations interleaved', () => {
    db = openDatabase(join(tempDir('merkle-store'), 'audit.db'));
    const { merkle, directory } = createStores(db);
    const first = directory.ensureOrganization('first').organization.id;
    const second = directory.ensureOrganization('second').organization.id;
    const hashes = new Map<number, Buffer[]>([
      [first, []],
      [second, []],
    ]);
    let seq = 0;
    // Runs across the 100-row statements' edges, and sizes off every power of two in between.
    for (const run of [1, 2, 5, 99, 100, 101, 250, 3, 1, 459, 1]) {
      const leaves = Array.from({ length: run }, (_, i) => {
        const orgId = i % 3 === 2 ? second : first;
        seq++;
        const hash = leafHashOf(seq);
        hashes.get(orgId)?.push(hash);
        return {
          orgId,
          eventSeq: seq,
          eventId: `log_${seq}`,
          timestamp: '2026-12-06T10:00:00.000Z',
          category: 'auth',
          commitment: hash,
          salt: hash,
          hash,
        };
      });
      db.transaction(() => merkle.append(leaves))();
      for (const [orgId, expected] of hashes) {
        expect(merkle.size(orgId)).toBe(expected.length);
        const stored = merkle.subtrees(orgId);
        const truth = inMemorySubtrees(expected);
        for (let level = 0; 2 ** level <= expected.length; level++)
          for (let index = 0; (index + 1) * 2 ** level <= expected.length; index++)
            expect(stored(level, index).equals(truth(level, index)), `level ${level} index ${index}`).toBe(
              true,
            );
        expect(rootAt(expected.length, stored)).toEqual(rootAt(expected.length, truth));
      }
    }
    // Each organization's positions follow the order given: run 3's third leaf went to `second`.
    expect(merkle.leaves(first, 0, 6).map((leaf) => leaf.eventSeq)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(merkle.leaves(second, 0, 1).map((leaf) => leaf.eventSeq)).toEqual([6]);
    expect(seq).toBe(1022);
  });
});
