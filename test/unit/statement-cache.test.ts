import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStatementCache } from '../../src/store/statement-cache.js';
import { createStores, type Stores } from '../../src/store/stores.js';

const MB = 1024 * 1024;

describe('prepared statements stay bounded', () => {
  let dir: string;
  let db: Db;
  let stores: Stores;
  let orgId: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-statements-'));
    db = openDatabase(join(dir, 'audit.db'));
    stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
    stores.recorder.record(orgId, [{ action: 'user.login' }, { action: 'tunnel.deleted' }]);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the most recently used statements, drops the least recent past its size', () => {
    const prepared: string[] = [];
    const cache = createStatementCache(db, 2, (sql) => {
      prepared.push(sql);
      return db.prepare(sql);
    });
    cache.get('SELECT 1');
    cache.get('SELECT 2');
    cache.get('SELECT 1');
    cache.get('SELECT 3'); // drops SELECT 2, the least recently used
    cache.get('SELECT 1');
    cache.get('SELECT 2');
    expect(prepared).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
    expect(cache.size).toBe(2);
  });

  it('8,000 distinct list queries (page sizes, pages, lists of actions) leave memory flat', () => {
    const scope = { kind: 'organization' } as const;
    const query = (n: number) => {
      const actions = Array.from({ length: 1 + (n % 60) }, (_, i) => `user.a${i}`);
      const actionPrefixes = Array.from({ length: Math.floor(n / 60) % 40 }, (_, i) => `p${i}.`);
      const page = stores.events.pageJson(
        orgId,
        { actions: [...actions, 'user.login'], actionPrefixes },
        scope,
        {
          order: 'desc',
          limit: 1 + (n % 997),
          offset: n % 3 === 0 ? n : undefined,
        },
      );
      if (n === 0) expect(page.events).toHaveLength(1);
    };
    for (let n = 0; n < 2_000; n++) query(n);
    const before = process.memoryUsage();
    for (let n = 2_000; n < 8_000; n++) query(n);
    const after = process.memoryUsage();
    // A few query shapes, however many distinct requests: 20,000 requests once made 20,000.
    expect(stores.events.preparedStatements()).toBeLessThanOrEqual(120);
    // Unbounded, these 6,000 statements would hold about 30 KB each of native memory (~190 MB).
    expect((after.rss - before.rss) / MB).toBeLessThan(60);
    expect((after.heapUsed - before.heapUsed) / MB).toBeLessThan(40);
  }, 120_000);
});
