import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';
import { describePostgres, emptyDatabase, type TestDatabase } from '../helpers/postgres.js';

describePostgres('audit server key show on a PostgreSQL database that has no keys yet', () => {
  // Made in beforeAll, not here: without PostgreSQL the block is skipped, and a file whose every
  // test is skipped runs no hooks, the setup file's removal of its temp dirs among them.
  let home: ReturnType<typeof tempHome>;
  let database: TestDatabase;
  beforeAll(async () => {
    home = tempHome();
    database = await emptyDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(home.dir, { recursive: true, force: true });
  });

  it("says where it made the secrets key file and that every instance needs it (threat: the only key to the database's secrets left unnoticed on an operator's laptop)", async () => {
    const file = join(home.dir, 'laptop', 'postgres.key');
    const env = cliEnv(home.configDir, { AUDIT_DATABASE_URL: database.url, AUDIT_SECRETS_KEY_FILE: file });
    const first = await runCli(['server', 'key', 'show'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(first.stderr).toContain(`Made the secrets key file ${file}`);
    expect(first.stderr).toContain('give every server instance a copy');
    const again = await runCli(['server', 'key', 'show'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('Made the secrets key file');
  });

  it('server start that made the secrets key file says so (threat: a second instance refused for a key nobody knew was made)', async () => {
    const fresh = await emptyDatabase();
    const file = join(home.dir, 'first-instance', 'postgres.key');
    const env = cliEnv(join(home.dir, 'start-config'), {
      AUDIT_DATABASE_URL: fresh.url,
      AUDIT_SECRETS_KEY_FILE: file,
    });
    try {
      const server = await startServerProcess([], env);
      expect(await server.stop()).toBe(0);
      expect(server.stderr()).toContain(`Made the secrets key file ${file}`);
      const again = await startServerProcess([], env);
      expect(await again.stop()).toBe(0);
      expect(again.stderr()).not.toContain('Made the secrets key file');
    } finally {
      await fresh.drop();
    }
  });
});
