import { chmodSync, existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../src/domain/key-fingerprint.js';
import { parseVerifierKey } from '../../src/domain/signed-note.js';
import { openDatabase } from '../../src/store/database.js';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';

/** A database whose log key file was made, then opened to group and others (mode 0644). */
async function keyOthersMayRead() {
  const home = tempHome();
  openDatabase(home.dbFile).close();
  const env = cliEnv(home.configDir);
  expect((await runCli(['server', 'key', 'show', '--db', home.dbFile], { env })).code).toBe(0);
  chmodSync(`${home.dbFile}.log-key`, 0o644);
  return { home, env };
}

// The key alone on the first line, so that the output saved to a file is a key file.
const VERIFIER_KEY = /^([A-Za-z0-9._-]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+)\n/;

describe('audit server key show', () => {
  it('makes the key beside a database that has none (and says so), then shows the same key each time', async () => {
    const home = tempHome();
    openDatabase(home.dbFile).close();
    const env = cliEnv(home.configDir);
    const first = await runCli(['server', 'key', 'show', '--db', home.dbFile], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`made one in ${home.dbFile}.log-key (mode 0600)`);
    expect(statSync(`${home.dbFile}.log-key`).mode & 0o777).toBe(0o600);
    const key = VERIFIER_KEY.exec(first.stdout)?.[1] as string;
    expect(key).toBeDefined();
    const fingerprint = keyFingerprint(parseVerifierKey(key).publicKey);
    expect(first.stdout).toBe(`${key}\nFingerprint: ${fingerprint}\nKey file:    ${home.dbFile}.log-key\n`);

    const again = await runCli(['server', 'key', 'show', '--db', home.dbFile, '-o', 'json'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toEqual({
      name: key.split('+')[0],
      verifier_key: key,
      fingerprint,
      file: `${home.dbFile}.log-key`,
      created: false,
    });
  });

  it('shows the key the running server signs its checkpoints with', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir, { AUDIT_CHECKPOINT_INTERVAL_MS: '50' });
    const server = await startServerProcess(['--db', home.dbFile], env);
    try {
      const shown = await runCli(['server', 'key', 'show', '--db', home.dbFile, '-o', 'json'], { env });
      expect(shown.code).toBe(0);
      const tree = await fetch(`${server.url}/api/v1/organizations/default/audit-logs/tree`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(tree.status).toBe(200);
      const { data } = (await tree.json()) as {
        data: { key: { verifier_key: string; fingerprint: string } };
      };
      const { verifier_key, fingerprint } = JSON.parse(shown.stdout);
      expect(data.key).toMatchObject({ verifier_key, fingerprint });
    } finally {
      await server.stop();
    }
  });

  it('refuses a database path where there is no database, and makes no key there', async () => {
    const home = tempHome();
    const result = await runCli(['server', 'key', 'show', '--db', home.dbFile], {
      env: cliEnv(home.configDir),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no database at ${home.dbFile}`);
    expect(existsSync(`${home.dbFile}.log-key`)).toBe(false);
  });

  it('a key file other users may read is refused, not shown (exit 1, names chmod)', async () => {
    const { home, env } = await keyOthersMayRead();
    const result = await runCli(['server', 'key', 'show', '--db', home.dbFile], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`chmod 600 ${home.dbFile}.log-key`);
    expect(result.stdout).toBe('');
  });
});

describe('audit server start with a refused log key', () => {
  it('a log key file other users may read stops the start with one line naming chmod (exit 1)', async () => {
    const { home, env } = await keyOthersMayRead();
    const result = await runCli(['server', 'start', '--port', '0', '--db', home.dbFile], {
      env,
      killAfterMs: 20_000,
    });
    expect(result.code).toBe(1);
    // The operator's to fix, not a bug: no "unexpected error", no stack.
    expect(result.stderr.trim().split('\n')).toEqual([
      `audit: the log signing key ${home.dbFile}.log-key may be read or changed by other users (mode 644); run chmod 600 ${home.dbFile}.log-key`,
    ]);
  });
});
