import { rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';

const SECRET = 's3cret-pw-do-not-print';

describe('the server commands on a PostgreSQL URL that cannot be reached', () => {
  const home = tempHome();
  afterAll(() => rmSync(home.dir, { recursive: true, force: true }));

  it('say so in one line with exit 1, never printing the password (threat: it leaks into terminals and logs)', async () => {
    const env = cliEnv(home.configDir, {
      AUDIT_DATABASE_URL: `postgres://audit:${SECRET}@127.0.0.1:1/audit`,
    });
    const list = await runCli(['server', 'token', 'list'], { env });
    expect(list.code).toBe(1);
    expect(list.stderr.trim().split('\n')).toEqual([
      'audit: cannot connect to postgres://audit:*****@127.0.0.1:1/audit: connection refused (is PostgreSQL running and listening there?)',
    ]);
    expect(list.stdout + list.stderr).not.toContain(SECRET);
  });

  it('give up on a host that never answers after connect_timeout, in one line (threat: a dropped-packet host hangs the command)', async () => {
    const silent = createServer(() => {}); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const env = cliEnv(home.configDir, {
        AUDIT_DATABASE_URL: `postgres://audit:${SECRET}@127.0.0.1:${port}/audit?connect_timeout=2`,
      });
      const started = Date.now();
      const list = await runCli(['server', 'token', 'list'], { env, killAfterMs: 20_000 });
      expect(list.code).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(list.stderr.trim().split('\n')).toHaveLength(1);
      expect(list.stderr).toMatch(
        /^audit: cannot connect to postgres:\/\/audit:\*{5}@127\.0\.0\.1:\d+\/audit\?connect_timeout=2: .*timeout/,
      );
      expect(list.stdout + list.stderr).not.toContain(SECRET);
    } finally {
      silent.close();
    }
  });

  it('warn that a password on the command line is readable in the process list (threat: ps shows argv)', async () => {
    const env = cliEnv(home.configDir);
    const list = await runCli(
      ['server', 'token', 'list', '--database', `postgres://audit:${SECRET}@127.0.0.1:1/audit`],
      { env },
    );
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/^warning: the password in --database can be read by other users/);
    expect(list.stdout + list.stderr).not.toContain(SECRET);
  });

  it('refuse a SQLite file and a PostgreSQL URL named together, and a URL of another kind, with exit 2', async () => {
    const env = cliEnv(home.configDir);
    const both = await runCli(
      ['server', 'token', 'list', '--db', home.dbFile, '--database', 'postgres://h/db'],
      {
        env,
      },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const mysql = await runCli(['server', 'user', 'add', '--email', 'a@b.c', '--database', 'mysql://h/db'], {
      env,
    });
    expect(mysql.code).toBe(2);
    expect(mysql.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describePostgres('the server commands on PostgreSQL (--database, AUDIT_DATABASE_URL)', () => {
  const home = tempHome();
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    // An empty database: the first command applies the migrations itself.
    database = await emptyDatabase();
    env = cliEnv(home.configDir, { AUDIT_DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('key show prints the signing key every instance shares, made once, sealed under the secrets key file', async () => {
    const keyEnv = { ...env, AUDIT_SECRETS_KEY_FILE: join(home.dir, 'postgres.key') };
    const first = await runCli(['server', 'key', 'show'], { env: keyEnv });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('No signing key yet: made one in the database');
    const [verifierKey] = first.stdout.split('\n');
    expect(verifierKey).toMatch(/^[A-Za-z0-9._-]+\+[0-9a-f]{8}\+/);
    expect(statSync(join(home.dir, 'postgres.key')).mode & 0o777).toBe(0o600);

    const again = await runCli(['server', 'key', 'show', '-o', 'json'], { env: keyEnv });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toMatchObject({ verifier_key: verifierKey, created: false });
    // The private key is never printed.
    expect(first.stdout + again.stdout).not.toContain('PRIVATE+KEY');
  });

  it('key show with another key file than the database was sealed with fails in one line, exit 1 (threat: a key made elsewhere is taken for this one)', async () => {
    const other = join(home.dir, 'other.key');
    writeFileSync(other, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const wrong = await runCli(['server', 'key', 'show', '--secrets-key-file', other], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain('not the one this PostgreSQL database');
    const onSqlite = await runCli(
      ['server', 'key', 'show', '--db', home.dbFile, '--secrets-key-file', other],
      {
        env: cliEnv(home.configDir),
      },
    );
    expect(onSqlite.code).toBe(2);
  });

  it('administers users, tokens and plans, each change recorded in the organization log', async () => {
    const add = await runCli(['server', 'user', 'add', '--email', 'bob@example.com', '--name', 'Bob'], {
      env,
    });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('Added bob@example.com');

    const create = await runCli(
      ['server', 'token', 'create', '--user', 'BOB@example.com', '--name', 'laptop'],
      {
        env,
      },
    );
    expect(create.code, create.stderr).toBe(0);
    const token = create.stdout.trim();
    expect(token).toMatch(/^adt_[0-9A-Za-z]{46}$/);

    // The flag names the same database as the variable.
    const list = await runCli(['server', 'token', 'list', '--database', database.url], {
      env: cliEnv(home.configDir),
    });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(token.slice(0, 12));
    expect(list.stdout).not.toContain(token);

    const revoke = await runCli(['server', 'token', 'revoke', token.slice(0, 12)], { env });
    expect(revoke.code, revoke.stderr).toBe(0);
    const plan = await runCli(['server', 'org', 'set-plan', 'paid'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('kept 90 days');

    const unknownUser = await runCli(['server', 'token', 'create', '--user', 'nobody@example.com'], { env });
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toContain('no user "nobody@example.com"');

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ action: string }>(
        `SELECT e.action FROM events e JOIN organizations o ON o.id = e.org_id
          WHERE o.slug = 'default' ORDER BY e.seq`,
      );
      expect(rows.map((row) => row.action)).toEqual([
        'team.member_added',
        'security.api_token_created',
        'security.api_token_revoked',
        'settings.organization_updated',
      ]);
    } finally {
      await client.end();
    }
  });
});
