import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { BIN, cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';

const EMAIL = 'quentin.vandersloot@example.com';

describe('audit gdpr export and delete', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  let memberToken: string;
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json.
  let proxy: ContractProxy;
  const via = (token = server.token as string) => ({ ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token });
  const api = async (path: string) =>
    (await (
      await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } })
    ).json()) as {
      data: AuditEvent[];
    };
  const subjectEvents = async () =>
    (await api('/api/v1/organizations/default/audit-logs?per_page=1000')).data.filter(
      (event) => event.actor?.id === 'user_qv',
    );

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
    await fetch(`${server.url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [1, 2, 3].map((n) => ({
          action: 'user.login',
          actor: { id: 'user_qv', name: 'Quentin Vandersloot', email: EMAIL, type: 'user' },
          context: { ip_address: '192.0.2.44' },
          metadata: { n },
        })),
      }),
    });
    await runCli(['server', 'user', 'add', '--email', 'mo@example.com', '--db', home.dbFile], { env });
    memberToken = (
      await runCli(['server', 'token', 'create', '--user', 'mo@example.com', '--db', home.dbFile], { env })
    ).stdout.trim();
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server.stop();
  });

  it("exports one person's events to a 0600 file", async () => {
    const file = join(home.dir, 'sar.json');
    const result = await runCli(['gdpr', 'export', '--user', EMAIL, '-o', file], { env: via() });
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(document.summary.count).toBe(3);
    expect(document.events.map((event: AuditEvent) => event.metadata?.n).sort()).toEqual([1, 2, 3]);
    expect(result.stderr).toContain(`Wrote 3 events about ${EMAIL}`);
  });

  it("refuses to erase without a terminal or --yes, and for a token that is not the owner's", async () => {
    const noTerminal = await runCli(['gdpr', 'delete', '--user', EMAIL], { env: via() });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--yes');
    const member = await runCli(['gdpr', 'delete', '--user', EMAIL, '--yes'], {
      env: via(memberToken),
    });
    expect(member.code).toBe(4);
    const memberExport = await runCli(['gdpr', 'export', '--user', EMAIL], {
      env: via(memberToken),
    });
    expect(memberExport.code).toBe(4);
    expect((await subjectEvents()).every((event) => event.actor?.email === EMAIL)).toBe(true);
  });

  it('dry run reports and changes nothing; the real run erases; a second run has nothing to do', async () => {
    const dry = await runCli(['gdpr', 'delete', '--user', EMAIL, '--dry-run'], { env: via() });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would erase .* from \d+ events/);
    expect((await subjectEvents()).every((event) => event.actor?.email === EMAIL)).toBe(true);

    const erased = await runCli(['gdpr', 'delete', '--user', EMAIL, '--yes'], { env: via() });
    expect(erased.code).toBe(0);
    const pseudonym = /now read (erased-user-[0-9a-f]{8})/.exec(erased.stdout)?.[1];
    expect(pseudonym).toBeDefined();
    for (const event of await subjectEvents()) {
      expect(event.actor).toMatchObject({ name: pseudonym, email: pseudonym });
      expect(event.context?.ip_address).toBe(pseudonym);
    }
    const again = await runCli(['gdpr', 'delete', '--user', EMAIL, '--yes'], { env: via() });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to erase');
  });

  it('dry run lists what events pair with the person; only --also and --also-name bring those in', async () => {
    await fetch(`${server.url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            action: 'user.login',
            actor: { id: 'user_cc', name: 'Cora Candidate', email: 'cora@example.com', type: 'user' },
          },
          { action: 'doc.shared', metadata: { with: 'cora@example.com', by: 'Cora Candidate' } },
        ],
      }),
    });
    const dry = await runCli(['gdpr', 'delete', '--user', 'user_cc', '--dry-run'], { env: via() });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would erase user_cc from 1 events');
    expect(dry.stdout).toContain('not erased unless you add --also: cora@example.com');
    expect(dry.stdout).toContain('not erased unless you add --also-name: Cora Candidate');

    const exported = await runCli(['gdpr', 'export', '--user', 'user_cc', '--also', 'cora@example.com'], {
      env: via(),
    });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).summary).toMatchObject({
      count: 2,
      identities: { ids: ['user_cc'], emails: ['cora@example.com'] },
    });

    const erased = await runCli(
      [
        'gdpr',
        'delete',
        '--user',
        'user_cc',
        '--also',
        'cora@example.com',
        '--also-name',
        'Cora Candidate',
        '--yes',
      ],
      { env: via() },
    );
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^Erased user_cc from 2 events/);
    const all = await api('/api/v1/organizations/default/audit-logs?per_page=1000');
    expect(JSON.stringify(all.data)).not.toMatch(/cora/i);
  });

  it('asks the operator on a terminal to type the person back', async () => {
    const subject = 'pat.typeback@example.com';
    await fetch(`${server.url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'user.login', actor: { id: 'user_pt', email: subject, type: 'user' } }),
    });
    // `script` gives the CLI a real terminal; what is written to its stdin is typed into it.
    const run = (typed: string) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          'script',
          ['-qec', `${process.execPath} ${BIN} gdpr delete --user ${subject}`, '/dev/null'],
          {
            env: via(),
          },
        );
        let output = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('to confirm') && !child.stdin.writableEnded) child.stdin.end(`${typed}\r`);
        });
        child.on('close', (code) => resolve({ code, output }));
      });
    const wrong = await run('someone.else@example.com');
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('does not match; nothing was erased');
    const right = await run(subject);
    expect(right.code).toBe(0);
    expect(right.output).toMatch(/Erased pat\.typeback@example\.com from 1 events/);
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(proxy.checked()).toBeGreaterThan(10);
    expect(proxy.violations).toEqual([]);
  });
});
