import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/event.js';
import { createEventMatcher } from '../../src/domain/event-matcher.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { inMaintenanceWindow } from '../../src/store/transaction.js';
import { normalizeAll } from '../helpers/pg-twin-events.js';
import { tempDir } from '../helpers/temp-dir.js';

// Letters with marks, Cyrillic й and ё, ligatures, CJK, emoji with a skin tone, digits and the
// punctuation that splits words: where unicode61 alone and free-text.ts disagreed.
const ALPHABET = [
  'a',
  'b',
  'ab',
  'é',
  'E',
  'ß',
  'ﬁ',
  'й',
  'ё',
  'е',
  'и',
  'Й',
  'ф',
  '東京',
  '😀',
  '👍🏽',
  '1',
  '.',
  '@',
  '-',
  "'",
];

const text = (size: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...ALPHABET), fc.constant(' ')), { minLength: 1, maxLength: size })
    .map((parts) => parts.join(''));

/**
 * A list's free-text search on SQLite finds exactly the events a live follower's matcher picks
 * (domain/event-matcher.ts): `audit logs -q X` and `audit tail -q X` agree, in every script and
 * on metadata values (true, 1e+21) as the API shows them.
 */
describe('SQLite free-text search agrees with the live matcher', () => {
  let db: Db;
  let stores: Stores;
  let orgId: number;

  beforeAll(() => {
    db = openDatabase(`${tempDir('search-agreement')}/audit.db`);
    stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
    const texts = fc.sample(text(12), { numRuns: 300, seed: 41 });
    const receivedAt = Date.UTC(2026, 10, 20);
    const metadata = (index: number): JsonObject => ({
      flag: index % 2 === 0,
      count: index % 3 === 0 ? 1e21 : index,
      note: texts[(index * 3) % texts.length] as string,
      nested: { none: null, list: [texts[(index * 5) % texts.length] as string, 2.5e-7] },
    });
    stores.events.ingest(
      orgId,
      normalizeAll(
        texts.map((description, index) => ({
          id: `t${index}`,
          action: 'x.y',
          description,
          actor: { name: texts[(index * 7) % texts.length] as string },
          metadata: metadata(index),
        })),
        receivedAt,
      ),
      receivedAt,
    );
  });
  afterAll(() => db?.close());

  const listed = (query: string) =>
    stores.events
      .page(orgId, { text: query, detailed: true }, { kind: 'organization' }, { order: 'asc', limit: 1000 })
      .events.map(({ event }) => event.id);

  it('for 300 random queries over 300 random events', () => {
    const all = stores.events.page(
      orgId,
      { detailed: true },
      { kind: 'organization' },
      { order: 'asc', limit: 1000 },
    ).events;
    expect(all).toHaveLength(300);
    const queries = [
      ...fc.sample(text(5), { numRuns: 300, seed: 7 }),
      'true',
      'false',
      '1e+21',
      '2.5e-7',
      'файл',
    ];
    let matched = 0;
    for (const query of queries) {
      const matches = createEventMatcher({ text: query, detailed: true }, { kind: 'organization' });
      const expected = all.filter(({ event }) => matches(event)).map(({ event }) => event.id);
      expect(listed(query), JSON.stringify(query)).toEqual(expected);
      if (expected.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('folds й, ё and ligatures as the query does (threat of a miss: evidence not found in an investigation)', () => {
    stores.events.ingest(
      orgId,
      normalizeAll(
        [
          {
            id: 'ru',
            action: 'file.deleted',
            description: 'Файл удалён пользователем',
            metadata: { fin: 'ﬁnance', mfa: true },
          },
        ],
        Date.UTC(2026, 10, 21),
      ),
      Date.UTC(2026, 10, 21),
    );
    for (const query of ['файл', 'удалён', 'удален', 'Файл удалён', 'finance', 'ﬁn', 'true'])
      expect(listed(query), query).toContain('ru');
    expect(listed('mfa'), 'metadata keys are not searched').not.toContain('ru');
  });

  it('indexes an event at ingest (JS) exactly as the erasure trigger re-indexes it (SQL functions)', () => {
    db.exec(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, events_fts, 'instance')",
    );
    const terms = () =>
      db.prepare('SELECT term, doc, col, offset FROM temp.fts_terms ORDER BY doc, col, offset').all();
    const atIngest = terms();
    expect(atIngest.length).toBeGreaterThan(3000);
    // Every event re-indexed by events_fts_update, as an erasure re-indexes the events it changes.
    inMaintenanceWindow(db, () =>
      db.prepare('UPDATE events SET description = description WHERE org_id = ?').run(orgId),
    );
    expect(terms()).toEqual(atIngest);
  });
});
