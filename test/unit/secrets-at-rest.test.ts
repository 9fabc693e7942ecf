import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { serverSecret } from '../../src/store/secret-box.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';

const OLD_SECRET = 'whsec_cleartext-from-before-sealing-91ab';
const OLD_DELETED_SECRET = 'whsec_deleted-but-kept-secret-77cd';
const OLD_DELETED_URL = 'https://hooks.slack.com/services/T0/B0/deletedSlackToken55';

describe('the secrets key and sealing at open', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-secrets-'));
    file = join(dir, 'audit.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A database as the version before sealing left it: cleartext secrets, a deleted webhook's URL. */
  function oldDatabase(): string {
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    migrate(raw);
    raw.exec("INSERT INTO organizations (slug, name, created_at) VALUES ('default', 'Default', 0)");
    const insert = raw.prepare(`INSERT INTO webhooks (public_id, org_id, url, format, secret, created_at,
      updated_at, deleted_at) VALUES (?, 1, ?, 'json', ?, 0, 0, ?)`);
    insert.run('whk_live', 'https://example.com/hook', OLD_SECRET, null);
    insert.run('whk_gone', OLD_DELETED_URL, OLD_DELETED_SECRET, 1);
    const pseudonymKey = raw
      .prepare("SELECT value FROM server_settings WHERE key = 'pseudonym_secret'")
      .pluck()
      .get() as string;
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    return pseudonymKey;
  }

  it('seals the cleartext secrets of an existing database when it is opened, and forgets deleted ones', () => {
    const pseudonymKey = oldDatabase();
    expect(readFileSync(file).includes(Buffer.from(OLD_SECRET))).toBe(true);
    const db = openDatabase(file);
    try {
      for (const path of [file, `${file}-wal`].filter(existsSync)) {
        const bytes = readFileSync(path);
        for (const needle of [OLD_SECRET, OLD_DELETED_SECRET, 'deletedSlackToken55', pseudonymKey]) {
          expect(bytes.includes(Buffer.from(needle)), `${needle} in ${path}`).toBe(false);
        }
      }
      // Still the same values once opened: signatures and pseudonyms do not change.
      expect(serverSecret(db, 'pseudonym_secret')).toBe(pseudonymKey);
      const store = createWebhookStore(db, Date.now);
      const live = store.find(1, 'whk_live');
      expect(live && store.secretOf(live)).toBe(OLD_SECRET);
      expect(db.prepare("SELECT url, secret FROM webhooks WHERE public_id = 'whk_gone'").get()).toEqual({
        url: 'https://hooks.slack.com',
        secret: '',
      });
    } finally {
      db.close();
    }
  });

  it('a second connection, as an admin command opens, finds the same key', () => {
    const first = openDatabase(file);
    const second = openDatabase(file);
    try {
      expect(serverSecret(second, 'pseudonym_secret')).toBe(serverSecret(first, 'pseudonym_secret'));
    } finally {
      first.close();
      second.close();
    }
  });

  it('refuses a key file that other users may read, as ssh does', () => {
    openDatabase(file).close();
    chmodSync(`${file}.key`, 0o644);
    expect(() => openDatabase(file)).toThrow(/may be read or changed by other users.*chmod 600/);
  });

  it('refuses to open a database whose sealed secrets lost their key, rather than make new ones', () => {
    openDatabase(file).close();
    rmSync(`${file}.key`);
    expect(() => openDatabase(file)).toThrow(/audit\.db\.key, which is missing; restore it/);
    expect(existsSync(`${file}.key`)).toBe(false);
  });

  it('replaces a lost key only when asked, and then nothing the old key sealed is reused', () => {
    const db = openDatabase(file);
    const store = createWebhookStore(db, Date.now);
    const org = db.prepare("INSERT INTO organizations (slug, name, created_at) VALUES ('o', 'O', 0)").run();
    const webhook = store.create(
      Number(org.lastInsertRowid),
      { url: 'https://example.com/h', format: 'json', patterns: [], categories: [], description: null },
      OLD_SECRET,
    );
    const pseudonymKey = serverSecret(db, 'pseudonym_secret');
    db.close();
    rmSync(`${file}.key`);
    const reported: number[] = [];
    const reopened = openDatabase(file, {
      replaceLostSecretsKey: true,
      onLostSecretsKeyReplaced: (count) => reported.push(count),
    });
    try {
      expect(reported).toEqual([1]);
      expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);
      expect(serverSecret(reopened, 'pseudonym_secret')).toMatch(/^[0-9a-f]{64}$/);
      expect(serverSecret(reopened, 'pseudonym_secret')).not.toBe(pseudonymKey);
      const after = createWebhookStore(reopened, Date.now);
      expect(after.secretOf(webhook)).toMatch(/^whsec_/);
      expect(after.secretOf(webhook)).not.toBe(OLD_SECRET);
    } finally {
      reopened.close();
    }
    // The new key is the key from now on; asking again while it is there is refused.
    openDatabase(file).close();
    expect(() => openDatabase(file, { replaceLostSecretsKey: true })).toThrow(/is not lost/);
  });

  it("refuses another database's key file", () => {
    openDatabase(file).close();
    const other = join(dir, 'other.db');
    openDatabase(other).close();
    writeFileSync(`${file}.key`, readFileSync(`${other}.key`), { mode: 0o600 });
    expect(() => openDatabase(file)).toThrow(/is not the key this database's secrets were sealed with/);
  });

  it('creates the key file 0600 beside a new database; an in-memory database keeps its key in memory', () => {
    openDatabase(file).close();
    expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);
    const memory = openDatabase(':memory:');
    try {
      expect(serverSecret(memory, 'pseudonym_secret')).toMatch(/^[0-9a-f]{64}$/);
      expect(existsSync(':memory:.key')).toBe(false);
    } finally {
      memory.close();
    }
  });
});
