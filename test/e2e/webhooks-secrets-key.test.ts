import { chmodSync, renameSync, rmSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';

describe('the secrets key file beside the database', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const keyFile = `${home.dbFile}.key`;
  afterAll(() => rmSync(home.dir, { recursive: true, force: true }));

  it('is made by the first start and found by the admin commands; a loose mode or its loss stops both until fixed or replaced on purpose', async () => {
    const server = await startServerProcess(['--db', home.dbFile], env);
    await server.stop('SIGTERM');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const list = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(list.code, list.stderr).toBe(0);

    chmodSync(keyFile, 0o640);
    const loose = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(loose.code).toBe(1);
    expect(loose.stderr.trim().split('\n')).toHaveLength(1);
    expect(loose.stderr).toMatch(/^audit: the secrets key .*audit\.db\.key may be read.*chmod 600/);
    chmodSync(keyFile, 0o600);

    renameSync(keyFile, `${keyFile}.aside`);
    const start = await runCli(['server', 'start', '--port', '0', '--db', home.dbFile], { env });
    expect(start.code).toBe(1);
    expect(start.stderr.trim().split('\n')).toHaveLength(1);
    expect(start.stderr).toMatch(/^audit: .*audit\.db\.key, which is missing; restore it/);
    const replaced = await startServerProcess(['--db', home.dbFile, '--replace-lost-secrets-key'], env);
    await replaced.stop('SIGTERM');
    expect(replaced.stderr()).toMatch(/Made a new secrets key: .* 0 webhook\(s\)/);
    // The old key, found again, no longer fits: what it sealed was replaced.
    renameSync(keyFile, `${keyFile}.new`);
    renameSync(`${keyFile}.aside`, keyFile);
    const stale = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/is not the key this database's secrets were sealed with/);
    renameSync(`${keyFile}.new`, keyFile);
    const again = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);
});
