import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';

describe("audit server start (spawned) and the reference documents' curl calls", () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  const get = (path: string, token = server.token) =>
    fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
  const listEvents = async (path: string) =>
    (await (await get(path)).json()) as { data: AuditEvent[]; pagination: Record<string, unknown> };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--demo'], env);
  });
  afterAll(async () => {
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
  });

  it('creates the owner and token on first start and stores them as the active profile, mode 0600', () => {
    expect(server.token).toMatch(/^adt_[0-9A-Za-z]{46}$/);
    expect(server.stdout()).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+$/m);
    const file = join(home.configDir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config.activeProfile).toBe('default');
    expect(config.profiles.default).toEqual({ server: server.url, org: 'default', token: server.token });
  });

  it('serves the demo log through the reference curl calls', async () => {
    const month = await get('/api/organization/audit-logs?from=2024-01-01&to=2099-01-31');
    expect(month.status).toBe(200);
    expect(((await month.json()) as { data: unknown[] }).data.length).toBe(100);

    const deleted = await listEvents('/api/organization/audit-logs?action=tunnel.deleted');
    expect(deleted.data.length).toBeGreaterThan(0);
    expect(deleted.data.every((event: { action: string }) => event.action === 'tunnel.deleted')).toBe(true);
    expect(deleted.data.some((event) => event.target?.name === 'api-staging.example.net')).toBe(true);

    const actorId = deleted.data[0]?.actor?.id;
    const byActor = await listEvents(`/api/organization/audit-logs?actor_id=${actorId}`);
    expect(byActor.data.every((event) => event.actor?.id === actorId)).toBe(true);

    const page = await get('/api/organization/audit-logs?page=1&per_page=100');
    expect(((await page.json()) as { pagination: unknown }).pagination).toMatchObject({
      per_page: 100,
      has_more: true,
    });
    expect(page.headers.get('link')).toMatch(/rel="next"/);
  });

  it('administers users, tokens and plans from the command line while the server runs', async () => {
    const add = await runCli(
      ['server', 'user', 'add', '--email', 'bob@example.com', '--name', 'Bob', '--db', home.dbFile],
      { env },
    );
    expect(add.code).toBe(0);
    expect(add.stderr).toContain('Added bob@example.com');

    const create = await runCli(
      ['server', 'token', 'create', '--user', 'bob@example.com', '--name', 'laptop', '--db', home.dbFile],
      { env },
    );
    expect(create.code).toBe(0);
    const bobToken = create.stdout.trim();
    expect(bobToken).toMatch(/^adt_[0-9A-Za-z]{46}$/);
    expect(create.stderr).not.toContain(bobToken);
    expect((await get('/api/v1/me', bobToken)).status).toBe(200);

    const list = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(list.stdout).toContain(bobToken.slice(0, 12));
    expect(list.stdout).not.toContain(bobToken);
    expect(list.stdout).not.toContain(server.token);

    const revoke = await runCli(['server', 'token', 'revoke', bobToken.slice(0, 12), '--db', home.dbFile], {
      env,
    });
    expect(revoke.code).toBe(0);
    expect((await get('/api/v1/me', bobToken)).status).toBe(401);

    const plan = await runCli(['server', 'org', 'set-plan', 'paid', '--db', home.dbFile], { env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('kept 90 days');
    const me = (await (await get('/api/v1/me')).json()) as { organization: unknown };
    expect(me.organization).toMatchObject({ plan: 'paid', retention_days: 90 });

    const recorded = await listEvents(
      '/api/organization/audit-logs?since=1h&category=security,team,settings',
    );
    const actions = recorded.data.map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'team.member_added',
        'security.api_token_created',
        'security.api_token_revoked',
        'settings.organization_updated',
      ]),
    );
  });

  it('refuses bad admin input with one line and exit 2', async () => {
    const unknownUser = await runCli(
      ['server', 'token', 'create', '--user', 'nobody@example.com', '--db', home.dbFile],
      { env },
    );
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknownUser.stderr).toContain('no user "nobody@example.com"');
    const badRole = await runCli(
      ['server', 'user', 'add', '--email', 'x@example.com', '--role', 'king', '--db', home.dbFile],
      { env },
    );
    expect(badRole.code).toBe(2);
    const badDays = await runCli(
      ['server', 'org', 'set-plan', 'free', '--retention-days', '10', '--db', home.dbFile],
      { env },
    );
    expect(badDays.code).toBe(2);
    expect(badDays.stderr).toContain('enterprise');
  });
});

describe('audit command line basics', () => {
  const env = cliEnv(tempHome().configDir);

  it('prints the version and help with examples, and exits 2 on unknown commands and options', async () => {
    const version = await runCli(['--version'], { env });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const args of [
      ['server', '--help'],
      ['server', 'start', '--help'],
      ['server', 'token', 'create', '--help'],
    ]) {
      const help = await runCli(args, { env });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n {2}\$ audit /);
    }
    const unknown = await runCli(['frobnicate'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const badOption = await runCli(['server', 'start', '--port', 'eighty'], { env });
    expect(badOption.code).toBe(2);
    expect(badOption.stderr.trim()).toBe('audit: --port expects a whole number, got "eighty"');
  });

  it('says it ignores a server setting in the environment that is not a positive whole number', async () => {
    const home = tempHome();
    const server = await startServerProcess(
      ['--db', home.dbFile],
      cliEnv(home.configDir, { AUDIT_WAL_CHECKPOINT_MB: 'lots', AUDIT_WEBHOOK_RETRY_BASE_MS: '0' }),
    );
    const said = server.stdout() + server.stderr();
    expect(said).toContain('Ignoring AUDIT_WAL_CHECKPOINT_MB=lots: expected a whole number of MiB.');
    expect(said).toContain(
      'Ignoring AUDIT_WEBHOOK_RETRY_BASE_MS=0: expected a whole number of milliseconds.',
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.stop();
  });

  it('reports a port in use with one line and exit 1', async () => {
    const home = tempHome();
    const first = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    const port = new URL(first.url).port;
    const second = await runCli(['server', 'start', '--port', port, '--db', join(home.dir, 'b.db')], {
      env: cliEnv(home.configDir),
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    await first.stop();
  });
});
