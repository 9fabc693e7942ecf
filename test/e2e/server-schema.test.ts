import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';

describe('the schema checksums recorded in the database', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  afterAll(() => rmSync(home.dir, { recursive: true, force: true }));

  it('stop the server and the admin commands, with one line naming the file and the database, when a recorded one was edited', async () => {
    const server = await startServerProcess(['--db', home.dbFile], env);
    await server.stop('SIGTERM');

    const raw = new Database(home.dbFile);
    raw.prepare("UPDATE schema_migrations SET sha256 = 'f00d' || substr(sha256, 5) WHERE version = 1").run();
    raw.close();

    const expected = `audit: migration 0001-initial.sql is not the one applied to the database ${home.dbFile}`;
    const start = await runCli(['server', 'start', '--port', '0', '--db', home.dbFile], { env });
    expect(start.code).toBe(1);
    expect(start.stdout).not.toMatch(/Listening/);
    expect(start.stderr.trim().split('\n')).toHaveLength(1);
    expect(start.stderr.startsWith(expected), start.stderr).toBe(true);

    const admin = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(admin.code).toBe(1);
    expect(admin.stderr.trim().split('\n')).toHaveLength(1);
    expect(admin.stderr.startsWith(expected), admin.stderr).toBe(true);
  });
});
