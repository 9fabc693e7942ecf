import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.js';
import { formatCheckpoint, parseCheckpoint } from '../../src/domain/checkpoint.js';
import { keyFingerprint } from '../../src/domain/key-fingerprint.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey, signNote } from '../../src/domain/signed-note.js';
import { registerSearchFunctions } from '../../src/store/migrate.js';
import { readWitnessNotes } from '../../src/verify/witness-file.js';
import {
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';

/**
 * `audit verify` against a real `audit server start` on a temp database, and the database file
 * changed behind the server's back the way someone with write access to it would: raw SQL on a
 * second connection. (better-sqlite3 stands in for the sqlite3 shell, whose Debian build, 3.40,
 * cannot open the schema's contentless-delete FTS table; the statements are the same.)
 */
const TIMEOUT = 120_000;
let servers: SpawnedServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  servers = [];
});

interface Log {
  home: ReturnType<typeof tempHome>;
  server: SpawnedServer;
  token: string;
  start(): Promise<SpawnedServer>;
  verify(args?: string[]): ReturnType<typeof runCli>;
  ingest(events: object[]): Promise<{ id: string }[]>;
  /** Resolves once the latest checkpoint covers the event. */
  signed(eventId: string): Promise<void>;
  position(eventId: string): Promise<number>;
  stop(): Promise<void>;
  sql(statements: string): void;
}

async function startLog(events: object[] = logins(12)): Promise<Log> {
  const home = tempHome();
  const serverEnv = cliEnv(home.configDir, { AUDIT_CHECKPOINT_INTERVAL_MS: '50' });
  const first = await startServerProcess(['--db', home.dbFile], serverEnv);
  servers.push(first);
  const log: Log = {
    home,
    server: first,
    token: first.token as string,
    async start() {
      log.server = await startServerProcess(['--db', home.dbFile], serverEnv);
      servers.push(log.server);
      return log.server;
    },
    verify: (args = []) =>
      runCli(['verify', ...args], {
        env: cliEnv(home.configDir, {
          AUDIT_SERVER: log.server.url,
          AUDIT_TOKEN: log.token,
          AUDIT_ORG: 'default',
        }),
      }),
    async ingest(batch) {
      const stored = await ingestEvents(log.server.url, log.token, batch);
      const last = stored.at(-1);
      if (last) await log.signed(last.id);
      return stored;
    },
    async signed(eventId) {
      for (let tries = 0; ; tries++) {
        const answer = await treeGet(log, `tree/inclusion?event_id=${eventId}`);
        if (answer.status === 200) return;
        if (tries > 300) throw new Error(`no checkpoint covers ${eventId}: ${answer.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async position(eventId) {
      const answer = await treeGet(log, `tree/inclusion?event_id=${eventId}`);
      return ((await answer.json()) as { data: { position: number } }).data.position;
    },
    async stop() {
      await log.server.stop('SIGTERM');
      servers = servers.filter((server) => server !== log.server);
    },
    sql(statements) {
      const db = new Database(home.dbFile);
      // The full-text trigger calls the server's search functions: a tamperer without them
      // drops that trigger too, which changes nothing these tests look at.
      registerSearchFunctions(db);
      try {
        db.exec(statements);
      } finally {
        db.close();
      }
    },
  };
  await log.ingest(events);
  return log;
}

function treeGet(log: Log, path: string): Promise<Response> {
  return fetch(`${log.server.url}/api/v1/organizations/default/audit-logs/${path}`, {
    headers: { authorization: `Bearer ${log.token}` },
  });
}

function logins(count: number, from = 0): object[] {
  return Array.from({ length: count }, (_, i) => ({
    action: 'user.login',
    actor: { id: `user_${from + i}`, email: `person${from + i}@example.com` },
    context: { ip_address: '203.0.113.7' },
    description: `sign-in ${from + i}`,
  }));
}

const seqOf = (log: Log, id: string) => {
  const db = new Database(log.home.dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT seq FROM events WHERE id = ?').get(id) as { seq: number }).seq;
  } finally {
    db.close();
  }
};

describe('audit verify (online) against a real server', () => {
  it(
    'a clean log verifies: the key the first start pinned in the profile, then matched; --full recomputes every event; -o json says the same',
    async () => {
      const log = await startLog();
      const key = await runCli(['server', 'key', 'show', '--db', log.home.dbFile], {
        env: cliEnv(log.home.configDir),
      });
      const fingerprint = key.stdout.split('\n')[1]?.match(/SHA256:\S+/)?.[0];
      expect(fingerprint).toMatch(/^SHA256:/);
      const first = await log.verify();
      expect(first.stderr).toBe('');
      expect(first.code).toBe(EXIT.ok);
      expect(first.stdout).toMatch(
        new RegExp(
          `^Signing key\\s+${escapeRegExp(fingerprint ?? '')} \\(\\S+\\), matches the pinned key$`,
          'm',
        ),
      );
      expect(first.stdout).toMatch(/^Checkpoint\s+\d+ events signed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/m);
      expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('Result: valid');

      await log.ingest(logins(5, 100));
      const full = await log.verify(['--full', '--utc']);
      expect(full.code).toBe(EXIT.ok);
      expect(full.stdout).toMatch(/matches the pinned key/);
      expect(full.stdout).toMatch(/^Consistency\s+extends the checkpoint of \d+ events signed/m);
      expect(full.stdout).toMatch(
        /^Events\s+\d+ leaves and \d+ events recomputed \(0 erased, 0 purged\); the root matches$/m,
      );

      const json = await log.verify(['--full', '-o', 'json']);
      expect(json.code).toBe(EXIT.ok);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({ result: 'valid', org: 'default', problems: [], key: { pin: 'pinned' } });
      expect(report.full.leaves).toBe(report.checkpoint.size);
      expect(report.full.leaves).toBeGreaterThanOrEqual(17);
    },
    TIMEOUT,
  );

  it(
    '--save-checkpoint keeps an outside copy (0700 dir, 0600 file) that catches a rewrite the profile did not see',
    async () => {
      const log = await startLog();
      const witness = join(log.home.dir, 'witness', 'audit');
      expect((await log.verify(['--save-checkpoint', witness])).code).toBe(EXIT.ok);
      const file = join(witness, `127.0.0.1_${new URL(log.server.url).port}-default.checkpoints`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(witness).mode & 0o777).toBe(0o700);
      await log.ingest(logins(3, 50));
      const again = await log.verify(['--save-checkpoint', witness]);
      expect(again.code).toBe(EXIT.ok);
      expect(again.stdout).toMatch(
        /^Saved copy\s+.*extends its last checkpoint, of \d+ events.*; appended$/m,
      );
      expect(readFileSync(file, 'utf8').match(/^— /gm)).toHaveLength(2);

      // A fresh profile (a new laptop, an auditor) remembers nothing, but the saved copy does: a
      // saved checkpoint (signed by the server's own key, as a key holder could) of a bigger log
      // than the server shows now is a rollback, and one of the same size with another root a rewrite.
      const signer = parseSignerKey(readFileSync(`${log.home.dbFile}.log-key`, 'utf8').trim());
      const lastNote = readWitnessNotes(file).at(-1) ?? '';
      const latest = parseCheckpoint(lastNote.slice(0, lastNote.lastIndexOf('\n\n') + 1));
      const forge = (size: number) =>
        signNote(formatCheckpoint({ ...latest, size, root: randomBytes(32), extensions: [] }), signer);
      rmSync(join(log.home.configDir, 'known-logs.json'));
      writeFileSync(file, `${forge(latest.size + 100)}\n`, { flag: 'a' });
      const rolledBack = await log.verify(['--save-checkpoint', witness]);
      expect(rolledBack.code).toBe(EXIT.tampered);
      expect(rolledBack.stderr).toContain(
        `but the checkpoints saved in ${file} saw ${latest.size + 100} events`,
      );
      writeFileSync(file, `${forge(latest.size)}\n`, { flag: 'a' });
      const rewritten = await log.verify(['--save-checkpoint', witness]);
      expect(rewritten.code).toBe(EXIT.tampered);
      expect(rewritten.stderr).toMatch(/^audit: tampered: history rewritten/);
      // A failed check appends nothing.
      expect(readFileSync(file, 'utf8').match(/^— /gm)).toHaveLength(4);
    },
    TIMEOUT,
  );

  it(
    "an event's action UPDATEd in the database file (triggers dropped) fails --full with exit 3, naming its id and position",
    async () => {
      const log = await startLog();
      const [victim] = await log.ingest(logins(1, 500));
      const id = (victim as { id: string }).id;
      expect((await log.verify()).code).toBe(EXIT.ok);
      log.sql(`
        DROP TRIGGER events_no_update;
        DROP TRIGGER merkle_salt_on_event_update;
        UPDATE events SET action = 'user.logout' WHERE id = '${id}';`);
      const full = await log.verify(['--full']);
      expect(full.code).toBe(EXIT.tampered);
      const position = await log.position(id);
      expect(full.stdout).toContain(
        `TAMPERED: event ${id} at position ${position} was changed after it was sealed`,
      );
      expect(full.stdout.trimEnd().split('\n').at(-1)).toBe('Result: TAMPERED');
      expect(full.stderr).toMatch(new RegExp(`^audit: tampered: event ${id} at position ${position}`));
    },
    TIMEOUT,
  );

  it(
    'an event UPDATEd with only the append-only trigger dropped (its salt goes with it) fails --full too',
    async () => {
      const log = await startLog();
      const [victim] = await log.ingest(logins(1, 600));
      const id = (victim as { id: string }).id;
      log.sql(
        `DROP TRIGGER events_no_update; UPDATE events SET description = 'nothing happened' WHERE id = '${id}';`,
      );
      const json = await log.verify(['--full', '-o', 'json']);
      expect(json.code).toBe(EXIT.tampered);
      expect(JSON.parse(json.stdout).problems).toEqual([
        expect.objectContaining({ kind: 'salt-deleted', event_id: id, position: await log.position(id) }),
      ]);
    },
    TIMEOUT,
  );

  it(
    'an event DELETEd from the database file fails --full with exit 3 naming it; plain verify cannot see it',
    async () => {
      const log = await startLog();
      const [victim] = await log.ingest(logins(1, 700));
      const id = (victim as { id: string }).id;
      const position = await log.position(id);
      log.sql(`DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = '${id}';`);
      expect((await log.verify()).code).toBe(EXIT.ok);
      const full = await log.verify(['--full']);
      expect(full.code).toBe(EXIT.tampered);
      expect(full.stdout).toContain(`TAMPERED: event ${id} at position ${position} was deleted`);
    },
    TIMEOUT,
  );

  it(
    'two events swapped in the database file (their order exchanged) fail --full with exit 3',
    async () => {
      const log = await startLog();
      const [a, , b] = await log.ingest(logins(3, 800));
      const [idA, idB] = [(a as { id: string }).id, (b as { id: string }).id];
      const [seqA, seqB] = [seqOf(log, idA), seqOf(log, idB)];
      log.sql(`
        DROP TRIGGER events_no_update;
        DROP TRIGGER merkle_salt_on_event_update;
        DROP TRIGGER events_fts_update;
        UPDATE events SET seq = -1 WHERE seq = ${seqA};
        UPDATE events SET seq = ${seqA} WHERE seq = ${seqB};
        UPDATE events SET seq = ${seqB} WHERE seq = -1;`);
      const full = await log.verify(['--full']);
      expect(full.code).toBe(EXIT.tampered);
      expect(full.stdout).toContain(
        `TAMPERED: position ${await log.position(idB)} is event ${idA}, but the log holds event ${idB} there`,
      );
    },
    TIMEOUT,
  );

  it(
    'a server restored from an older copy of its database fails plain audit verify with exit 3: rolled back',
    async () => {
      const log = await startLog();
      expect((await log.verify()).code).toBe(EXIT.ok);
      await log.stop();
      const old = join(log.home.dir, 'old.db');
      copyFileSync(log.home.dbFile, old);
      const wal = `${log.home.dbFile}-wal`;
      if (existsSync(wal)) copyFileSync(wal, `${old}-wal`);
      await log.start();
      await log.ingest(logins(20, 900));
      expect((await log.verify()).code).toBe(EXIT.ok);
      await log.stop();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${log.home.dbFile}${suffix}`, { force: true });
      copyFileSync(old, log.home.dbFile);
      if (existsSync(`${old}-wal`)) copyFileSync(`${old}-wal`, wal);
      await log.start();
      const rolledBack = await log.verify();
      expect(rolledBack.code).toBe(EXIT.tampered);
      expect(rolledBack.stdout).toMatch(
        /^TAMPERED: rolled back: the log has \d+ events, but this profile \(default\) saw \d+ events/m,
      );
      expect(rolledBack.stderr).toMatch(/^audit: tampered: rolled back/);
      // Nothing is learned from a failed check: the next run still compares with the bigger log.
      expect((await log.verify()).code).toBe(EXIT.tampered);
    },
    TIMEOUT,
  );

  it(
    'a server whose signing key was replaced fails with exit 3 naming both fingerprints; --trust-new-key re-pins it',
    async () => {
      const log = await startLog();
      expect((await log.verify()).code).toBe(EXIT.ok);
      const keyFile = `${log.home.dbFile}.log-key`;
      const oldKey = parseSignerKey(readFileSync(keyFile, 'utf8').trim());
      await log.stop();
      const forged = generateNoteKey(oldKey.name);
      writeFileSync(keyFile, `${forged.signerKey}\n`, { mode: 0o600 });
      await log.start();
      await log.ingest(logins(2, 1000));
      const fingerprintOf = (key: string) => keyFingerprint(parseVerifierKey(key).publicKey);
      const [pinned, now] = [fingerprintOf(oldKey.verifierKey), fingerprintOf(forged.verifierKey)];
      const changed = await log.verify();
      expect(changed.code).toBe(EXIT.tampered);
      expect(changed.stderr).toContain(`this profile pinned ${pinned}, the server now signs with ${now}`);
      expect((await log.verify(['--full'])).code).toBe(EXIT.tampered);

      const trusted = await log.verify(['--trust-new-key']);
      expect(trusted.code).toBe(EXIT.ok);
      expect(trusted.stdout).toContain(`${now} (${oldKey.name}), pinned now, replacing ${pinned}`);
      expect((await log.verify()).code).toBe(EXIT.ok);
    },
    TIMEOUT,
  );

  it(
    'after a GDPR erasure and after a retention purge, verify --full passes and counts them',
    async () => {
      const old = logins(4, 2000).map((event) => ({ ...event, timestamp: '2021-03-01T10:00:00Z' }));
      const log = await startLog([...old, ...logins(4, 3000)]);
      expect((await log.verify(['--full'])).code).toBe(EXIT.ok);
      const env = cliEnv(log.home.configDir, {
        AUDIT_SERVER: log.server.url,
        AUDIT_TOKEN: log.token,
        AUDIT_ORG: 'default',
      });
      const erased = await runCli(['gdpr', 'delete', '--user', 'person3001@example.com', '--yes'], { env });
      expect(erased.code).toBe(EXIT.ok);
      const [record] = await fetchAllEvents(log.server.url, log.token, 'action=gdpr.user_erased');
      await log.signed((record as { id: string }).id);
      const afterErasure = JSON.parse((await log.verify(['--full', '-o', 'json'])).stdout);
      expect(afterErasure).toMatchObject({ result: 'valid', full: { erased: 1 } });

      await log.stop();
      const plan = await runCli(['server', 'org', 'set-plan', 'free', '--db', log.home.dbFile], { env });
      expect(plan.code).toBe(EXIT.ok);
      await log.start();
      expect(log.server.stderr()).toMatch(/Purged 4 events/);
      const [purge] = await fetchAllEvents(log.server.url, log.token, 'action=audit.retention_purged');
      await log.signed((purge as { id: string }).id);
      const full = await log.verify(['--full']);
      expect(full.stderr).toBe('');
      expect(full.code).toBe(EXIT.ok);
      expect(full.stdout).toMatch(/\(1 erased, 4 purged\); the root matches$/m);
    },
    TIMEOUT,
  );
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
