import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { databaseLocation } from '../../src/cli/commands/server-admin.js';
import type { CliContext } from '../../src/cli/context.js';
import { UsageError } from '../../src/cli/errors.js';
import { describeLocation, postgresLocation, redactedUrl } from '../../src/store/database-location.js';
import { PostgresNotDurableError } from '../../src/store/pg/durability.js';
import { describeOpenFailure } from '../../src/store/pg/open-failure.js';
import { connectTimeoutMs } from '../../src/store/pg/pool.js';

function contextWith(env: NodeJS.ProcessEnv): { context: CliContext; stderr: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk) => {
    text += chunk;
  });
  const context = { env, stderr } as unknown as CliContext;
  return { context, stderr: () => text };
}

const URL_WITH_PASSWORD = 'postgres://audit:s3cret-pw@db.internal:5432/audit';

describe('which database the server commands use', () => {
  it('defaults to the SQLite file, AUDIT_DB before the default, --db before both', async () => {
    expect(await databaseLocation(contextWith({ AUDIT_DATA_DIR: '/data' }).context, {})).toMatchObject({
      kind: 'sqlite',
    });
    expect(await databaseLocation(contextWith({ AUDIT_DB: '/srv/a.db' }).context, {})).toEqual({
      kind: 'sqlite',
      file: '/srv/a.db',
    });
    expect(
      await databaseLocation(contextWith({ AUDIT_DB: '/srv/a.db' }).context, { db: '/srv/b.db' }),
    ).toEqual({
      kind: 'sqlite',
      file: '/srv/b.db',
    });
  });

  it('takes a PostgreSQL URL from --database or AUDIT_DATABASE_URL, a flag before any variable', async () => {
    const env = { AUDIT_DATABASE_URL: 'postgres://a@h/env' };
    expect(await databaseLocation(contextWith(env).context, {})).toEqual({
      kind: 'postgres',
      url: 'postgres://a@h/env',
    });
    expect(await databaseLocation(contextWith(env).context, { database: 'postgresql://a@h/flag' })).toEqual({
      kind: 'postgres',
      url: 'postgresql://a@h/flag',
    });
    // --db names a SQLite file explicitly: the variable does not override what was typed.
    expect(await databaseLocation(contextWith(env).context, { db: '/srv/b.db' })).toEqual({
      kind: 'sqlite',
      file: '/srv/b.db',
    });
  });

  it('refuses to guess between a SQLite file and a PostgreSQL URL named at one level', async () => {
    await expect(
      databaseLocation(contextWith({}).context, { db: 'a.db', database: 'postgres://h/db' }),
    ).rejects.toThrow(/--db .* or --database .*, not both/);
    await expect(
      databaseLocation(contextWith({ AUDIT_DB: 'a.db', AUDIT_DATABASE_URL: 'postgres://h/db' }).context, {}),
    ).rejects.toThrow(UsageError);
  });

  it('refuses a URL that is not PostgreSQL or names no database, in one line that never repeats the password', async () => {
    for (const bad of [
      'mysql://root:s3cret-pw@h/db',
      'db.internal:5432',
      'postgres://u:s3cret-pw@h',
      'http://h/db',
    ]) {
      let error: unknown;
      try {
        await databaseLocation(contextWith({}).context, { database: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/^--database: /);
      expect((error as Error).message).not.toContain('s3cret-pw');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('warns (threat: a password on the command line is readable in the process list) and names the safer places', async () => {
    const withFlag = contextWith({});
    await databaseLocation(withFlag.context, { database: URL_WITH_PASSWORD });
    expect(withFlag.stderr()).toMatch(
      /warning: the password in --database .* AUDIT_DATABASE_URL .* ~\/\.pgpass/,
    );
    expect(withFlag.stderr()).not.toContain('s3cret-pw');
    const fromEnv = contextWith({ AUDIT_DATABASE_URL: URL_WITH_PASSWORD });
    await databaseLocation(fromEnv.context, {});
    expect(fromEnv.stderr()).toBe('');
    const noPassword = contextWith({});
    await databaseLocation(noPassword.context, { database: 'postgres://audit@db.internal/audit' });
    expect(noPassword.stderr()).toBe('');
  });
});

describe('a PostgreSQL URL shown to an operator (threat: the password leaks into logs and messages)', () => {
  it('hides the password in the user info and in password parameters', async () => {
    expect(redactedUrl(URL_WITH_PASSWORD)).toBe('postgres://audit:*****@db.internal:5432/audit');
    expect(redactedUrl('postgres://h/db?user=a&password=s3cret-pw')).not.toContain('s3cret-pw');
    expect(describeLocation(postgresLocation(URL_WITH_PASSWORD))).not.toContain('s3cret-pw');
    expect(describeLocation({ kind: 'sqlite', file: '/srv/audit.db' })).toBe('/srv/audit.db');
  });

  it('says why a database cannot be opened without the password, and leaves bugs alone', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    expect(describeOpenFailure(refused, URL_WITH_PASSWORD)).toBe(
      'cannot connect to postgres://audit:*****@db.internal:5432/audit: connection refused (is PostgreSQL running and listening there?)',
    );
    const login = Object.assign(new Error('password authentication failed for user "audit"'), {
      code: '28P01',
    });
    expect(describeOpenFailure(login, URL_WITH_PASSWORD)).toMatch(
      /^cannot use the database .*: password authentication failed/,
    );
    const missing = Object.assign(new Error('database "audit" does not exist'), { code: '3D000' });
    expect(describeOpenFailure(missing, URL_WITH_PASSWORD)).toContain('does not exist');
    for (const error of [refused, login, missing])
      expect(describeOpenFailure(error, URL_WITH_PASSWORD)).not.toContain('s3cret-pw');
    expect(describeOpenFailure(new TypeError('x is undefined'), URL_WITH_PASSWORD)).toBeUndefined();
    expect(describeOpenFailure(new PostgresNotDurableError('fsync is off'), URL_WITH_PASSWORD)).toBe(
      'fsync is off: postgres://audit:*****@db.internal:5432/audit',
    );
    // A file that is missing is not a missing socket: an error of ours is worded by its caller.
    const noKey = Object.assign(new Error('cannot create the secrets key file /x/postgres.key: ENOENT'), {
      code: 'ERR_SECRETS_KEY',
    });
    expect(describeOpenFailure(noKey, URL_WITH_PASSWORD)).toBeUndefined();
    expect(
      describeOpenFailure(Object.assign(new Error('syntax'), { code: '42601' }), URL_WITH_PASSWORD),
    ).toBeUndefined();
  });
});

describe('how long a PostgreSQL connection attempt may take (libpq connect_timeout)', () => {
  it('reads the URL, then PGCONNECT_TIMEOUT, else (or when not a number) 10 s; 0 waits for ever, under 2 s is 2 s', () => {
    expect(connectTimeoutMs('postgres://h/db', {})).toBe(10_000);
    expect(connectTimeoutMs('postgres://h/db?connect_timeout=5', { PGCONNECT_TIMEOUT: '30' })).toBe(5_000);
    expect(connectTimeoutMs('postgres://h/db', { PGCONNECT_TIMEOUT: '30' })).toBe(30_000);
    expect(connectTimeoutMs('postgres://h/db?connect_timeout=1', {})).toBe(2_000);
    expect(connectTimeoutMs('postgres://h/db?connect_timeout=0', {})).toBe(0);
    expect(connectTimeoutMs('postgres://h/db?connect_timeout=soon', {})).toBe(10_000);
  });
});
