import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const ERASURES = '/api/v1/organizations/default/gdpr/erasures';
const EMAIL = 'wilhelmina.skarsgaardt@example.com';

function copiesIn(dir: string): number {
  let count = 0;
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file));
    for (let at = bytes.indexOf(EMAIL); at !== -1; at = bytes.indexOf(EMAIL, at + 1)) count++;
  }
  return count;
}

describe('GDPR erasure reports done only once no copy is left in the files', () => {
  let fixture: Fixture;
  let reader: Database.Database;
  const erase = () => fixture.request({ method: 'POST', url: ERASURES, payload: { user: EMAIL } });

  beforeEach(async () => {
    fixture = await createFixture({ gdprScrubWaitMs: 300 });
    await fixture.ingest(
      Array.from({ length: 50 }, (_, n) => ({
        action: 'user.login',
        actor: { id: 'user_ws', email: EMAIL, type: 'user' as const },
        metadata: { n },
      })),
    );
    // Another connection in the middle of a read: the WAL cannot be checkpointed past it.
    reader = new Database(fixture.dbFile, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM events').get();
  });
  afterEach(async () => {
    if (reader.open) reader.close();
    await fixture.close();
  });

  it('answers 503 with Retry-After while a reader blocks the checkpoint, and finishes on the next try', async () => {
    const blocked = await erase();
    expect(blocked.statusCode).toBe(503);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(copiesIn(fixture.dir)).toBeGreaterThan(0);

    reader.close();
    const retried = await erase();
    expect(retried.statusCode).toBe(200);
    expect(copiesIn(fixture.dir)).toBe(0);
  });

  it('finishes a blocked erasure when the server starts again', async () => {
    expect((await erase()).statusCode).toBe(503);
    await fixture.app.close();
    fixture.db.close();
    reader.close();

    const db = openDatabase(fixture.dbFile);
    const app = await buildApp({ db });
    await app.close();
    db.close();
    expect(copiesIn(fixture.dir)).toBe(0);
  });
});
