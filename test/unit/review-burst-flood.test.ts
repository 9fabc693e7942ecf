import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createReviewQueries, MAX_RULE_ROWS } from '../../src/store/review-queries.js';

const FROM = Date.parse('2024-01-01T00:00:00Z');

describe('burst rows under a flood', () => {
  let db: Db | undefined;
  afterAll(() => db?.close());

  it('flood: past MAX_RULE_ROWS the oldest burst rows are kept, not those of the addresses that sort first', () => {
    db = openDatabase(':memory:');
    db.exec("INSERT INTO organizations (slug, name, created_at) VALUES ('default', 'default', 0)");
    // The real burst first, from an address that sorts last.
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
      INSERT INTO events (org_id, id, ts, received_at, category, action, ip_address)
      SELECT 1, 'real_' || i, ${FROM} + i, 0, 'auth', 'user.login_failed', '203.0.113.99' FROM n`);
    // Then more than MAX_RULE_ROWS decoys in bursts of 10 from addresses that sort first.
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MAX_RULE_ROWS + 100})
      INSERT INTO events (org_id, id, ts, received_at, category, action, ip_address)
      SELECT 1, 'decoy_' || i, ${FROM} + 3600000 + i, 0, 'auth', 'user.login_failed', '10.' || (i / 10) FROM n`);
    const rows = createReviewQueries(db).burstRows(
      1,
      ['user.login_failed'],
      'ip',
      { from: FROM, to: FROM + 86_400_000 },
      { windowMs: 600_000, threshold: 10 },
    );
    expect(rows).toHaveLength(MAX_RULE_ROWS);
    expect(rows.filter((row) => row.ip === '203.0.113.99')).toHaveLength(10);
  });
});
