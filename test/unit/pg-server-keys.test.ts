import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPgEngine } from '../../src/store/pg/engine.js';
import { createPgPool, type PgPool } from '../../src/store/pg/pool.js';
import { readPgLogKey, readPgSecret } from '../../src/store/pg/server-keys.js';
import { SecretsKeyError } from '../../src/store/secrets-key-file.js';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

// The server's keys on PostgreSQL: made once by the first instance, shared by all, sealed under
// the secrets key file every instance is given.

describePostgres('the server keys on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: PgPool;
  const secretsKey = randomBytes(32);

  beforeAll(async () => {
    database = await emptyDatabase();
    pool = createPgPool(database.url, { max: 2 });
  }, 30_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('instances starting together make one set of keys and all read the same signing key', async () => {
    const engines = await Promise.all(
      [0, 1, 2].map(() => openPgEngine(database.url, { allowUnsafe: true, poolSize: 1, secretsKey })),
    );
    try {
      const keys = await Promise.all(engines.map((engine) => readPgLogKey(engine.pool, secretsKey)));
      expect(new Set(keys.map((key) => key.verifierKey)).size).toBe(1);
      const { rows } = await pool.query<{ key: string; value: string }>(
        'SELECT key, value FROM server_settings',
      );
      const settings = new Map(rows.map((row) => [row.key, row.value]));
      expect(settings.get('stream_position_key')).toMatch(/^[0-9a-f]{64}$/);
      // Sealed: neither the pseudonym key nor the signer key is readable from the table.
      const pseudonym = await readPgSecret(pool, secretsKey, 'pseudonym_secret');
      expect(pseudonym).toMatch(/^[0-9a-f]{64}$/);
      expect(settings.get('pseudonym_secret')).not.toContain(pseudonym);
      expect(settings.get('log_signing_key')).toMatch(/^sealed:v1:/);
      expect(settings.get('log_signing_key')).not.toContain('PRIVATE+KEY');
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }
  });

  it('an instance given another secrets key file (threat: a second key made elsewhere) does not start', async () => {
    await expect(
      openPgEngine(database.url, { allowUnsafe: true, poolSize: 1, secretsKey: randomBytes(32) }),
    ).rejects.toThrow(SecretsKeyError);
    await expect(readPgLogKey(pool, randomBytes(32))).rejects.toThrow();
  });

  it('reads the server settings through the store port, a missing key as undefined', async () => {
    const engine = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 1 });
    try {
      expect(await engine.stores.settings.read('legacy_stream_position_limit')).toBe('0');
      expect(await engine.stores.settings.read('stream_position_key')).toMatch(/^[0-9a-f]{64}$/);
      expect(await engine.stores.settings.read('no such key')).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it('a second start keeps the keys the first one made', async () => {
    const before = await readPgLogKey(pool, secretsKey);
    const engine = await openPgEngine(database.url, { allowUnsafe: true, poolSize: 1, secretsKey });
    await engine.close();
    expect((await readPgLogKey(pool, secretsKey)).verifierKey).toBe(before.verifierKey);
  });

  it('makes a missing key file, and its missing directory, private (0600 in 0700) for a new database', async () => {
    const fresh = await emptyDatabase();
    const dir = tempDir('keys');
    const file = join(dir, 'not', 'yet', 'postgres.key');
    try {
      const engine = await openPgEngine(fresh.url, { allowUnsafe: true, poolSize: 1, secretsKey: { file } });
      await engine.close();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'not', 'yet')).mode & 0o777).toBe(0o700);
    } finally {
      await fresh.drop();
    }
  });
});
