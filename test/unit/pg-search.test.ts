import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataSearchText, searchPhrases, textMatches } from '../../src/domain/free-text.js';
import { createPgEventStore, type PgEventStore } from '../../src/store/pg/events.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { toTsQuery } from '../../src/store/pg/search.js';
import { escapeText, unescapeText } from '../../src/store/pg/text-escape.js';
import { normalizeAll } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

describe('PostgreSQL text helpers', () => {
  it('escapes U+0000 reversibly, leaving none in the stored text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('\0', '\u0001', '0', '1', 'a', 'é') }), (text) => {
        const escaped = escapeText(text);
        expect(escaped.includes('\0')).toBe(false);
        expect(unescapeText(escaped)).toBe(text);
      }),
      { numRuns: 2000 },
    );
    expect(escapeText('plain')).toBe('plain');
  });

  it('quotes every lexeme of the tsquery: user text is never query syntax', () => {
    expect(toTsQuery(searchPhrases("alice@exa o'brien"))).toBe("('alice' <-> 'exa':*) & ('o' <-> 'brien':*)");
    expect(toTsQuery([["it's", 'a\\b']])).toBe("('it''s' <-> 'a\\\\b':*)");
    expect(toTsQuery([])).toBeUndefined();
  });

  it('searches metadata values as the API shows them (domain/free-text.ts searchedFields), keys and nulls left out', () => {
    expect(
      metadataSearchText({ a: true, b: false, c: null, d: [1.5, 'x', { e: 'y' }], f: 1e21, g: 2.5e-7 }),
    ).toBe('true false 1.5 x y 1e+21 2.5e-7');
    expect(metadataSearchText(null)).toBeUndefined();
  });
});

// Random text from an alphabet of letters, diacritics, ligatures, emoji, punctuation and tsquery
// operators, random queries from the same alphabet: PostgreSQL's answer must be the events
// textMatches() picks (src/domain/free-text.ts, what live followers use).
const ALPHABET = [
  'a',
  'b',
  'ab',
  'é',
  'E',
  'ß',
  'ﬁ',
  '😀',
  '👍🏽',
  "'",
  '\\',
  ':',
  '*',
  '&',
  '|',
  '!',
  '(',
  ')',
  '.',
  '@',
  '-',
];

describePostgres('PostgreSQL free-text search matches free-text.ts', () => {
  let database: TestDatabase;
  let pool: PgPool;
  let store: PgEventStore;
  const texts: string[] = [];
  const orgId = 1;

  const text = (size: number) =>
    fc
      .array(fc.oneof(fc.constantFrom(...ALPHABET), fc.constant(' ')), { minLength: 1, maxLength: size })
      .map((parts) => parts.join(''));

  beforeAll(async () => {
    database = await migratedDatabase();
    pool = createPgPool(database.url, { max: 2 });
    store = createPgEventStore(pool);
    await pool.query("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'o', 'o', 0)");
    texts.push(...fc.sample(text(12), { numRuns: 300, seed: 23 }));
    const receivedAt = Date.UTC(2026, 10, 20);
    await store.ingest(
      orgId,
      normalizeAll(
        texts.map((description, index) => ({
          id: `t${index}`,
          action: 'x.y',
          description,
          actor: { name: texts[(index * 7) % texts.length] as string },
        })),
        receivedAt,
      ),
      receivedAt,
    );
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('for 200 random queries over 300 random events', async () => {
    const all = (
      await store.page(orgId, { detailed: true }, { kind: 'organization' }, { order: 'asc', limit: 1000 })
    ).events;
    const queries = fc.sample(text(5), { numRuns: 200, seed: 5 });
    let matched = 0;
    for (const query of queries) {
      const phrases = searchPhrases(query);
      const expected = all
        .filter(({ event }) => textMatches(phrases, [event.actor?.name, event.action, event.description]))
        .map(({ event }) => event.id);
      const page = await store.page(
        orgId,
        { text: query, detailed: true },
        { kind: 'organization' },
        { order: 'asc', limit: 1000 },
      );
      expect(
        page.events.map(({ event }) => event.id),
        JSON.stringify(query),
      ).toEqual(expected);
      if (expected.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(50);
  }, 120_000);
});
