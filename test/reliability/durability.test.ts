import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../src/domain/ulid.js';
import { openDatabase } from '../../src/store/database.js';
import { cliEnv, startServerProcess, tempHome } from '../helpers/cli.js';
import { createFixture } from '../helpers/server-fixture.js';

const ROUNDS = 20;
const CLIENTS = 4;
const BATCH = 20;
// The kill lands this long after the round's first acknowledgement: mid-request, mid-commit, idle.
const MAX_KILL_DELAY_MS = 400;

describe('durability: SIGKILL at random moments during concurrent ingest', () => {
  const home = tempHome();
  afterAll(() => rmSync(home.dir, { recursive: true, force: true }));

  it(`keeps every acknowledged event and an intact database across ${ROUNDS} kills`, async () => {
    const env = cliEnv(home.configDir);
    const nextId = createUlidFactory();
    const acknowledged = new Set<string>();
    let token: string | undefined;
    let attempted = 0;
    const delays: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '1000000'], env);
      token ??= server.token;
      const url = `${server.url}/api/v1/organizations/default/audit-logs`;
      let stopped = false;
      let firstAck: () => void = () => {};
      const acked = new Promise<void>((resolve) => {
        firstAck = resolve;
      });
      const client = async () => {
        while (!stopped) {
          const events = Array.from({ length: BATCH }, () => ({
            id: `log_${nextId()}`,
            action: 'user.login',
          }));
          attempted += BATCH;
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ events }),
            });
            // Only a 201 is an acknowledgement; anything else (or a dropped connection) is not.
            if (response.status === 201) {
              for (const event of events) acknowledged.add(event.id);
              firstAck();
            }
          } catch {
            return;
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      await acked;
      const delay = Math.floor(Math.random() * MAX_KILL_DELAY_MS);
      delays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      const exited = server.stop('SIGKILL');
      stopped = true;
      await Promise.all(clients);
      await exited;

      // Read-only, so the check itself neither recovers nor checkpoints what the next start finds.
      const db = new Database(home.dbFile, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true }), `round ${round}`).toBe('ok');
        const stored = new Set(db.prepare('SELECT id FROM events').pluck().all() as string[]);
        const lost = [...acknowledged].filter((id) => !stored.has(id));
        expect(lost, `round ${round} (killed ${delay} ms after the first acknowledgement)`).toEqual([]);
      } finally {
        db.close();
      }
    }
    console.info(
      `durability: ${ROUNDS} SIGKILLs, ${acknowledged.size} of ${attempted} events acknowledged, all kept; ` +
        `kill delays ${Math.min(...delays)}–${Math.max(...delays)} ms`,
    );
    expect(acknowledged.size).toBeGreaterThan(ROUNDS * BATCH);
  }, 240_000); // twenty server starts: a minute on a quiet machine, more when the suite shares two cores
});

describe('durability settings', () => {
  it('opens the database in WAL mode with synchronous=FULL', () => {
    const home = tempHome();
    const db = openDatabase(home.dbFile);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
      rmSync(home.dir, { recursive: true, force: true });
    }
  });

  it('checkpoints at 256 MiB of WAL unless told another size', () => {
    const home = tempHome();
    const defaults = openDatabase(join(home.dir, 'default.db'));
    const small = openDatabase(join(home.dir, 'small.db'), { walCheckpointMib: 4 });
    try {
      expect(defaults.pragma('wal_autocheckpoint', { simple: true })).toBe(65536);
      expect(defaults.pragma('journal_size_limit', { simple: true })).toBe(256 * 1024 * 1024);
      expect(small.pragma('wal_autocheckpoint', { simple: true })).toBe(1024);
      expect(small.pragma('journal_size_limit', { simple: true })).toBe(4 * 1024 * 1024);
    } finally {
      defaults.close();
      small.close();
      rmSync(home.dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve when SQLite does not honour synchronous=FULL or WAL', () => {
    const home = tempHome();
    const original = Database.prototype.pragma;
    try {
      const weaker: Record<string, string> = {
        'synchronous = FULL': 'synchronous = NORMAL',
        'journal_mode = WAL': 'journal_mode = DELETE',
      };
      for (const [asked, kept] of Object.entries(weaker)) {
        // Stand-in for a build or file system that silently keeps a weaker setting.
        Database.prototype.pragma = function (this: Database.Database, source: string, options?: object) {
          return original.call(this, source === asked ? kept : source, options as never);
        } as typeof original;
        const file = `${home.dir}/${asked.split(' ')[0]}.db`;
        expect(() => openDatabase(file), asked).toThrow(/database is not durable/);
      }
    } finally {
      Database.prototype.pragma = original;
      rmSync(home.dir, { recursive: true, force: true });
    }
  });
});

describe('WAL checkpoints', () => {
  it('copies the WAL into the main file once ingest has paused, not before', async () => {
    const fixture = await createFixture({ quietCheckpointMs: 1000 });
    // What a reader of the main file alone (no -wal beside it) finds of the marked event.
    const inMainFile = () => {
      const copy = join(fixture.dir, `main-only-${Date.now()}.db`);
      copyFileSync(fixture.dbFile, copy);
      const db = new Database(copy);
      try {
        const hasEvents = db
          .prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events'")
          .pluck()
          .get();
        if (hasEvents === 0) return 0;
        return db.prepare("SELECT count(*) FROM events WHERE metadata LIKE '%quiet-marker%'").pluck().get();
      } finally {
        db.close();
      }
    };
    try {
      await fixture.ingest([{ action: 'review.triggered', metadata: { note: 'quiet-marker' } }]);
      // Far below the autocheckpoint threshold: only the WAL holds it so far.
      expect(inMainFile()).toBe(0);
      const deadline = Date.now() + 5000;
      while (inMainFile() === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(inMainFile()).toBe(1);
    } finally {
      await fixture.close();
    }
  });
});
