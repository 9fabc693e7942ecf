import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { escapeText, unescapeText } from '../../src/store/pg/text-escape.js';
import { twinInputs } from '../helpers/pg-twin-events.js';
import { describePostgres, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Text PostgreSQL's text type cannot hold as sent: U+0000 and lone surrogates. The server
// accepts both (as SQLite does), so they are stored escaped and must come back exactly.

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const input = (id: string, actor = 'alice'): EventInput => ({
  ...(twinInputs(1)[0] as EventInput),
  id,
  timestamp: '2026-11-20T12:00:00.000Z',
  actor: { id: actor },
});

describe('PostgreSQL text escape: lone surrogates', () => {
  it('escapes U+0000 and lone surrogates reversibly, leaving only well-formed text without U+0000', () => {
    const unit = fc.constantFrom(
      '\0',
      '\u0001',
      '0',
      '1',
      'u',
      'd',
      'a',
      'é',
      '\ud800',
      '\udbff',
      '\udc00',
      '\udfff',
      '\ufffd',
    );
    fc.assert(
      fc.property(
        fc.array(unit).map((units) => units.join('')),
        (text) => {
          const escaped = escapeText(text);
          expect(escaped.includes('\0')).toBe(false);
          expect(LONE.test(escaped)).toBe(false);
          expect(unescapeText(escaped)).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
    // A well-formed pair is left as it is.
    expect(escapeText('💥')).toBe('💥');
  });
});

describePostgres('PostgreSQL with lone surrogates in ids, emails and stats keys', () => {
  let database: TestDatabase;
  let pg: PgEngine;
  let org: number;

  beforeAll(async () => {
    database = await migratedDatabase();
    pg = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 2 });
    org = (await pg.stores.directory.ensureOrganization('text')).organization.id;
  }, 30_000);
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
  });

  it('threat: an acknowledged event never stored — ids differing only in a lone surrogate are distinct events', async () => {
    const ids = ['ls-\ud800', 'ls-\ufffd', 'ls-\udc00', 'ls-\udc00\ud800'];
    for (const id of ids) {
      expect(await pg.write((tx) => tx.recorder.record(org, [input(id, id)]))).toMatchObject({ created: 1 });
    }
    for (const id of ids) expect((await pg.stores.events.findById(org, id))?.event.id).toBe(id);
    // Sent again: the same event, not a new one and not a 23505.
    expect(await pg.write((tx) => tx.recorder.record(org, [input('ls-\udc00')]))).toMatchObject({
      created: 0,
    });
    const stats = await pg.stores.stats.stats(
      org,
      {} as never,
      { kind: 'organization' } as never,
      { dimensions: ['actor'], timeZone: 'UTC', now: Date.UTC(2026, 11, 6) } as never,
    );
    const groups = JSON.stringify(stats.groups);
    expect(groups).toContain(JSON.stringify('ls-\ud800'));
    expect(groups).toContain(JSON.stringify('ls-\udc00\ud800'));
    expect(groups).not.toContain('\\u0001');
    const counts = await pg.stores.events.endSeq(org);
    expect(counts).toBe(4);
  });

  it('threat: account confusion — emails differing only in a lone surrogate are distinct users', async () => {
    const one = await pg.stores.directory.upsertUser(org, {
      email: 'a\ud800@x',
      name: 'lone',
      role: 'member',
      teamName: undefined,
    });
    const two = await pg.stores.directory.upsertUser(org, {
      email: 'a\ufffd@x',
      name: 'replacement',
      role: 'member',
      teamName: undefined,
    });
    expect(one.user.id).not.toBe(two.user.id);
    expect((await pg.stores.directory.findUserByEmail(org, 'a\ud800@x'))?.name).toBe('lone');
    expect((await pg.stores.directory.findUserByEmail(org, 'a\ud800@x'))?.email).toBe('a\ud800@x');
  });

  it('threat: sealing stopped by a hostile slug — a checkpoint note naming an organization with U+0000 is stored and read back exactly', async () => {
    const hostile = (await pg.stores.directory.ensureOrganization('evil\u0000\u0001\ud800')).organization;
    const note = `audit.example/${hostile.slug}\n1\nroot\n\n— key sig`;
    const checkpoint = { treeSize: 1, root: Buffer.alloc(32, 7), signedAt: 1_700_000_000_000, note };
    await pg.stores.merkle.addCheckpoint(hostile.id, checkpoint);
    expect(await pg.stores.merkle.latestCheckpoint(hostile.id)).toEqual(checkpoint);
    expect(await pg.stores.merkle.checkpointOfSize(hostile.id, 1)).toEqual(checkpoint);
  });
});
