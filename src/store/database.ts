import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { openSecretsAtRest } from './secrets-at-rest.js';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * How long a writer waits for the lock before SQLite reports busy (then the API answers 503).
   * The server's writes wait this long too, but asynchronously (store/write-gate.ts).
   */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** The WAL size in MiB after which a commit checkpoints (default WAL_CHECKPOINT_MIB). */
  walCheckpointMib?: number | undefined;
  /** The secrets key file is lost for good: make a new key and replace the secrets it sealed. */
  replaceLostSecretsKey?: boolean;
  /** Told how many webhooks got a new, unknown secret when a lost key was replaced. */
  onLostSecretsKeyReplaced?: (webhooksNeedingNewSecrets: number) => void;
}

/** The page cache of a connection that writes, in KiB: 64 MiB. */
const PAGE_CACHE_KIB = 65536;

/** The WAL size after which a commit checkpoints, unless the server is told otherwise. */
const WAL_CHECKPOINT_MIB = 256;

/** SQLite's page size, which new databases get and this project never changes. */
const PAGE_BYTES = 4096;

/**
 * Opens the server's SQLite file with the durability the SPEC promises: WAL, synchronous=FULL
 * (an acknowledged event survives a power cut), foreign keys, a busy timeout; then migrates,
 * and finds the key its secrets are sealed with (`<file>.key`, see secrets-key-file.ts).
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') createPrivately(file);
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!options.readonly) {
      enterWalMode(db, busyTimeoutMs);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // Deleted content is overwritten, so purged or erased data does not linger in free pages.
      db.pragma('secure_delete = ON');
      // Every event touches a leaf page of each filter index, so a 1000-event batch writes ~10 MB
      // of WAL, and a checkpoint writes those pages again, scattered over the main file. The
      // further apart checkpoints are, the more batches' writes to the same pages one of them
      // folds: filling 200,000 events, the store takes ~112 µs an event at 256 MiB against ~146 at
      // 32 MiB and ~213 at SQLite's default 4 MiB, at the price of a longer stall in the batch
      // that checkpoints (up to ~0.8 s at 1,000,000 events). A
      // server checkpoints when writes pause too (quiet-checkpoint.ts), so a quiet one keeps a
      // small WAL.
      const walBytes = (options.walCheckpointMib ?? WAL_CHECKPOINT_MIB) * 1024 * 1024;
      db.pragma(`wal_autocheckpoint = ${walBytes / PAGE_BYTES}`);
      // SQLite's default page cache is 2 MiB: every ingest batch touches a leaf of each filter
      // index, and at 200,000 events those do not fit in it, so each batch would re-read them;
      // export pages read rows through it too. With 64 MiB, ingest takes ~222 µs an event at
      // 200,000 events instead of ~275, and export page SQL ~10 µs a row instead of ~12.
      db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
      db.pragma(`journal_size_limit = ${walBytes}`);
      assertDurable(db);
      migrate(db);
    }
    openSecretsAtRest(db, file, {
      readonly: options.readonly ?? false,
      replaceLostKey: options.replaceLostSecretsKey,
      onLostKeyReplaced: options.onLostSecretsKeyReplaced,
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * The log is the organization's audit trail: a new database (and so its WAL, which SQLite
 * creates with the same mode) is readable by its owner only, in a directory of its own.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
}

function assertDurable(db: Db): void {
  const synchronous = db.pragma('synchronous', { simple: true });
  const journal = db.pragma('journal_mode', { simple: true });
  // 2 is FULL. Refuse to serve rather than acknowledge events that a crash could lose.
  if (synchronous !== 2 || (journal !== 'wal' && db.name !== ':memory:')) {
    throw new Error(`database is not durable (journal_mode=${journal}, synchronous=${synchronous})`);
  }
}

/**
 * Switches a connection to WAL. On a new file another process may be switching it at the same
 * moment (the server and an admin command started together); SQLite then answers busy at once,
 * without its busy handler, so the switch is retried until the busy timeout is spent.
 */
function enterWalMode(db: Db, busyTimeoutMs: number): void {
  const giveUpAt = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= giveUpAt) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
