import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli, startServerProcess, tempHome } from '../helpers/cli.js';

const JSON_LINE = /^\{.*\}$/;

function recordsIn(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => JSON_LINE.test(line))
    .map((line) => JSON.parse(line));
}

describe('audit server start: the operator log on stderr', () => {
  it('stays quiet by default, and logs a 500 as a JSON line with the request id (stderr not a terminal)', async () => {
    const home = tempHome();
    const server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    try {
      const headers = { authorization: `Bearer ${server.token}` };
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const webhooks = `${server.url}/api/v1/organizations/default/webhooks`;
      expect((await fetch(webhooks, { headers })).status).toBe(200);
      expect(recordsIn(server.stderr())).toEqual([]);

      // A damaged database, as a bug or a hand edit would leave it: the next read cannot work.
      const db = new Database(home.dbFile);
      db.exec('ALTER TABLE webhooks RENAME TO webhooks_gone');
      db.close();
      const failed = await fetch(webhooks, { headers });
      expect(failed.status).toBe(500);
      await expect.poll(() => recordsIn(server.stderr()).length).toBeGreaterThan(0);
      const errors = recordsIn(server.stderr()).filter((record) => record.level === 50 && record.reqId);
      expect(errors[0]).toMatchObject({
        reqId: expect.stringMatching(/^req-/),
        msg: expect.stringContaining('webhooks'),
      });
      expect(server.stderr()).not.toContain(server.token);
      expect(server.stdout()).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+$/m);
    } finally {
      await server.stop();
    }
  });

  it('writes an access line per request at --log-level info, pretty when asked, with no token in it', async () => {
    const home = tempHome();
    const server = await startServerProcess(
      ['--db', home.dbFile, '--log-level', 'info', '--log-format', 'pretty'],
      cliEnv(home.configDir),
    );
    try {
      const response = await fetch(`${server.url}/api/v1/me?token=${server.token}`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(response.status).toBe(200);
      await expect
        .poll(() => server.stderr())
        .toMatch(/INFO +\[req-\d+\] request completed method=GET path=\/api\/v1\/me statusCode=200/);
      expect(server.stderr()).not.toMatch(/adt_[0-9A-Za-z]/);
    } finally {
      await server.stop();
    }
  });

  it('refuses an unknown log level or format with one line and exit 2', async () => {
    const home = tempHome();
    const badFlag = await runCli(
      ['server', 'start', '--port', '0', '--db', home.dbFile, '--log-level', 'loud'],
      {
        env: cliEnv(home.configDir),
      },
    );
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
    // A database that cannot open: a server that ignored the setting would fail, not run on.
    const badEnv = await runCli(['server', 'start', '--port', '0', '--db', `${home.dir}/missing/audit.db`], {
      env: cliEnv(home.configDir, { AUDIT_LOG_FORMAT: 'xml' }),
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr.trim()).toBe('audit: AUDIT_LOG_FORMAT must be one of pretty, json; got "xml"');
  });
});
