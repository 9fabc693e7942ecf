import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';

describe('--debug and the package export', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
  });
  afterAll(() => server.stop());

  it('traces requests to stderr with the token masked, and keeps stdout clean', async () => {
    const token = server.token as string;
    const result = await runCli(['logs', '--limit', '1', '--debug', '-o', 'json'], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /\[debug\] → GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/organizations\/default\/audit-logs\?/,
    );
    expect(result.stderr).toMatch(/\[debug\] ← 200 GET/);
    expect(result.stderr).toContain(`Bearer ${token.slice(0, 12)}…`);
    expect(result.stderr).not.toContain(token);
    expect(result.stdout).not.toContain('[debug]');
    expect(JSON.parse(result.stdout)).toHaveLength(1);
  });

  it('exports the typed client for programs', async () => {
    const audit = await import('audit-cli');
    const client = new audit.AuditClient({ server: server.url, token: server.token, org: 'default' });
    try {
      const me = await client.me();
      expect(me.organization.slug).toBe('default');
      const page = await client.listPage({ per_page: 1 });
      expect(page.data).toHaveLength(1);
      await expect(client.getEvent('log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E')).rejects.toBeInstanceOf(
        audit.AuditApiError,
      );
    } finally {
      await client.close();
    }
  });
});
